import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * A user's TOTP secret: pending from EnrollTotp until ConfirmTotp (then `expire_time` is null and
 * `confirm_time` set), deleted by DisableTotp. The secret is stored sealed with AES-256-GCM
 * (`TOTP_ENCRYPTION_KEYS`, bound to `totp_factor.secret:<user id>`): unlike a password it must be read
 * back to compute codes, so it cannot be hashed. `last_used_step` is the newest time step a code was
 * accepted for; no code of it or an earlier step is accepted again (RFC 6238 §5.2).
 */
export const TotpFactorEntity = defineEntity({
  name: "TotpFactor",
  tableName: "totp_factor",
  properties: {
    userId: p.uuid().primary(),
    /** `<kid>:<iv>:<ciphertext+tag>` of the base32 secret. */
    secretSealed: p.text(),
    createTime: p.datetime(),
    /** When a pending enrolment lapses; null once confirmed. */
    expireTime: p.datetime().nullable(),
    confirmTime: p.datetime().nullable(),
    lastUsedStep: p.integer().nullable(),
  },
});

/** A row of the totp_factor table. */
export type TotpFactorEntity = InferEntity<typeof TotpFactorEntity>;
