import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * An OAuth2 client of a partner (`PartnerClient` in the proto), created by an admin. Its secret is kept
 * only as a SHA-256 (`secretHash`), like refresh tokens: it is 256 random bits, so a fast hash leaves
 * nothing to brute-force. Revocation is final; a revoked client is on the revoked-subjects list as
 * `client:<client_id>` until its last token has expired.
 */
export const PartnerClientEntity = defineEntity({
  name: "PartnerClient",
  tableName: "partner_client",
  properties: {
    clientId: p.uuid().primary(),
    displayName: p.text(),
    /** Scope names in the order of `partnerScopes`, at least one. */
    scopes: p.array(),
    /** Empty when none was given. */
    contactEmail: p.text(),
    /** Hex SHA-256 of the client secret. */
    secretHash: p.text(),
    /** The secret's last four characters, shown to admins to tell secrets apart. */
    secretHint: p.text(),
    creatorUserId: p.uuid(),
    createTime: p.datetime(),
    /** Moved at most once a minute, so a busy partner does not write a row per token. */
    lastUseTime: p.datetime().nullable(),
    revokeTime: p.datetime().nullable(),
    /** The admin who revoked it. */
    revokedBy: p.uuid().nullable(),
  },
});

/** A row of the partner_client table. */
export type PartnerClientEntity = InferEntity<typeof PartnerClientEntity>;
