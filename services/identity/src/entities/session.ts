import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One sign-in (Login, Register, ChangePassword, …): the family of refresh tokens rotated from it. Revoking
 * the session revokes every token of the family at once — on Logout, on a password change, when the
 * account is disabled, and when a token of the family is presented a second time (theft: whoever holds
 * the newest token is shut out too, and must sign in again).
 */
export const SessionEntity = defineEntity({
  name: "Session",
  tableName: "session",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    createTime: p.datetime(),
    /** The sign-in time plus REFRESH_TOKEN_TTL_S: rotation never moves it. */
    expireTime: p.datetime(),
    revokeTime: p.datetime().nullable(),
    /** LOGOUT, PASSWORD_CHANGED, PASSWORD_RESET, USER_DISABLED or TOKEN_REUSED; empty while live. */
    revokeReason: p.text(),
    /** How the sign-in was made (RFC 8176 `amr`: "pwd", "otp"); every access token of the session says so. */
    amr: p.array(),
  },
});

/** A row of the session table. */
export type SessionEntity = InferEntity<typeof SessionEntity>;
