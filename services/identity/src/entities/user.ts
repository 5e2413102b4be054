import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * A Marquee account (`User` in the proto). `email_key`, the address in lower case, is unique
 * (`user_email_key_key`): one account per address however it is typed (see `domain/email-address.ts`).
 * The password hash never leaves this service: only `store/messages.ts` maps a row to the proto, and it
 * maps no secret.
 */
export const UserEntity = defineEntity({
  name: "User",
  tableName: "user",
  properties: {
    id: p.uuid().primary(),
    /** As mailed: trimmed, NFC, the domain lower-cased. */
    email: p.text(),
    /** As compared: the whole address lower-cased. */
    emailKey: p.text(),
    displayName: p.text(),
    /** E.164, or empty. */
    phoneNumber: p.text(),
    /** PHC-format scrypt hash; null for an account without a password (made by social sign-in). */
    passwordHash: p.text().nullable(),
    /** Lower-case role names in contract order, always with "customer". */
    roles: p.array(),
    emailVerifyTime: p.datetime().nullable(),
    disableTime: p.datetime().nullable(),
    /** Why an admin disabled the account: for the audit trail, never shown to the user. */
    disableReason: p.text(),
    /** The admin who disabled it last. */
    disabledBy: p.uuid().nullable(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    lastLoginTime: p.datetime().nullable(),
    /** When two-factor sign-in was turned on (ConfirmTotp); null while it is off. */
    totpEnableTime: p.datetime().nullable(),
  },
});

/** A row of the user table. */
export type UserEntity = InferEntity<typeof UserEntity>;
