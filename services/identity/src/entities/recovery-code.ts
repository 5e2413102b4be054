import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One of a user's recovery codes, made by ConfirmTotp, stored only as its hash (see
 * `domain/recovery-codes.ts`); spent once (`use_time`), deleted with the factor by DisableTotp.
 */
export const RecoveryCodeEntity = defineEntity({
  name: "RecoveryCode",
  tableName: "recovery_code",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    /** Hex SHA-256 of `<user id>:<code>`. */
    codeHash: p.text(),
    createTime: p.datetime(),
    useTime: p.datetime().nullable(),
  },
});

/** A row of the recovery_code table. */
export type RecoveryCodeEntity = InferEntity<typeof RecoveryCodeEntity>;
