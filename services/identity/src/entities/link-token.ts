import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * The one-time token of a link Marquee mailed — to verify an address, or to reset a password — stored as
 * the SHA-256 of the token (unique): the token exists only in the mail. Consumed once (`use_time`), and
 * useless after `expire_time`.
 */
export const LinkTokenEntity = defineEntity({
  name: "LinkToken",
  tableName: "link_token",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    /** VERIFY_EMAIL or RESET_PASSWORD. */
    purpose: p.text(),
    /** Hex SHA-256 of the token. */
    tokenHash: p.text(),
    createTime: p.datetime(),
    expireTime: p.datetime(),
    useTime: p.datetime().nullable(),
  },
});

/** A row of the link_token table. */
export type LinkTokenEntity = InferEntity<typeof LinkTokenEntity>;
