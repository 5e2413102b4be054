import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { JWK } from "jose";

/**
 * An ES256 key pair that signs access tokens, by `kid` (its RFC 7638 thumbprint). Its life, one state at
 * a time: NEXT (in the JWKS, not signing yet) → CURRENT (signing; one at most) → RETIRED (verifying only,
 * until the tokens it signed have expired) → DROPPED (out of the JWKS, private key erased; the row stays
 * so the JWKS file publisher knows the kid was identity's). The private key sits here as a JWK: in
 * production a KMS or HSM should hold it and sign, with only its public half in this table.
 */
export const SigningKeyEntity = defineEntity({
  name: "SigningKey",
  tableName: "signing_key",
  properties: {
    kid: p.text().primary(),
    state: p.text(),
    /** Null once DROPPED. */
    privateJwk: p.json<JWK>().nullable(),
    publicJwk: p.json<JWK>(),
    createTime: p.datetime(),
    activateTime: p.datetime().nullable(),
    retireTime: p.datetime().nullable(),
    dropTime: p.datetime().nullable(),
  },
});

/** A row of the signing_key table. */
export type SigningKeyEntity = InferEntity<typeof SigningKeyEntity>;
