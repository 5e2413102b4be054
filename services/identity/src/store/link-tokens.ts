import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { LinkTokenEntity } from "../entities/link-token.js";
import { hashOfSecret, isSecretShaped, newSecret } from "./secrets.js";

/** What a mailed link is for. */
export type LinkPurpose = "VERIFY_EMAIL" | "RESET_PASSWORD";

/** A link token just made: the token goes into the mail, only its hash into the table. */
export interface IssuedLinkToken {
  readonly token: string;
  readonly expireTime: Date;
}

/** Makes a one-time token for the user's link. */
export async function createLinkToken(
  em: EntityManager,
  userId: string,
  purpose: LinkPurpose,
  now: Date,
  ttlMs: number,
): Promise<IssuedLinkToken> {
  const token = newSecret();
  const expireTime = new Date(now.getTime() + ttlMs);
  await em.insert(LinkTokenEntity, {
    id: randomUUID(),
    userId,
    purpose,
    tokenHash: hashOfSecret(token),
    createTime: now,
    expireTime,
    useTime: null,
  });
  return { token, expireTime };
}

/**
 * Consumes a link token: the id of its user when it was live — made for `purpose`, unexpired, unused —
 * and undefined otherwise. One conditional update, so of two uses racing exactly one succeeds. Inside
 * the transaction that acts on it, so a failure after it leaves the token unused.
 */
export async function consumeLinkToken(
  em: EntityManager,
  token: string,
  purpose: LinkPurpose,
  now: Date,
): Promise<string | undefined> {
  if (!isSecretShaped(token)) return undefined;
  const rows = await em.execute<{ user_id: string }[]>(
    `update "link_token" set "use_time" = ?
      where "token_hash" = ? and "purpose" = ? and "use_time" is null and "expire_time" > ?
      returning "user_id"`,
    [now, hashOfSecret(token), purpose, now],
  );
  return rows[0]?.user_id;
}
