import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One refresh token of a session, stored as the SHA-256 of the token (`token_hash`, unique): the token
 * itself exists only in the response that issued it. A token is live until it is used once (`use_time`),
 * when Refresh issues its successor; a second use revokes the session.
 */
export const RefreshTokenEntity = defineEntity({
  name: "RefreshToken",
  tableName: "refresh_token",
  properties: {
    id: p.uuid().primary(),
    sessionId: p.uuid(),
    /** Hex SHA-256 of the token. */
    tokenHash: p.text(),
    createTime: p.datetime(),
    useTime: p.datetime().nullable(),
  },
});

/** A row of the refresh_token table. */
export type RefreshTokenEntity = InferEntity<typeof RefreshTokenEntity>;
