import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * An authorization code flow StartSocialSignIn began: what the callback needs and the browser must not
 * hold — the nonce and the PKCE code verifier — kept here for the flow's few minutes and used once
 * (`use_time`; both are blanked then). The state and the flow key are stored as their SHA-256 only: the
 * state travels in URLs, the key stays with the app.
 */
export const SocialFlowEntity = defineEntity({
  name: "SocialFlow",
  tableName: "social_flow",
  properties: {
    id: p.uuid().primary(),
    /** A ProviderName. */
    provider: p.text(),
    /** Hex SHA-256 of the `state` parameter (unique). */
    stateHash: p.text(),
    /** Hex SHA-256 of the flow key the app keeps. */
    flowKeyHash: p.text(),
    nonce: p.text(),
    codeVerifier: p.text(),
    createTime: p.datetime(),
    expireTime: p.datetime(),
    useTime: p.datetime().nullable(),
  },
});

/** A row of the social_flow table. */
export type SocialFlowEntity = InferEntity<typeof SocialFlowEntity>;
