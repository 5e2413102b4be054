import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * The challenge Login and SignInWithSocial answer for an account with two-factor sign-in on: the first
 * factor was right (a password, a provider), the second is awaited (CompleteLogin). Stored as the SHA-256
 * of its 256-bit token (unique), as the link tokens are; consumed once, useless after `expire_time`.
 */
export const MfaChallengeEntity = defineEntity({
  name: "MfaChallenge",
  tableName: "mfa_challenge",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    /** How the first factor was given (RFC 8176 `amr`: ["pwd"], ["fed"]); CompleteLogin's session adds "otp". */
    amr: p.array(),
    /** Hex SHA-256 of the token. */
    tokenHash: p.text(),
    createTime: p.datetime(),
    expireTime: p.datetime(),
    useTime: p.datetime().nullable(),
  },
});

/** A row of the mfa_challenge table. */
export type MfaChallengeEntity = InferEntity<typeof MfaChallengeEntity>;
