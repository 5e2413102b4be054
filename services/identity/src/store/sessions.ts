import { randomUUID } from "node:crypto";
import type { Database } from "@marquee/mesh";
import type { EntityManager } from "@mikro-orm/postgresql";
import { RefreshTokenEntity } from "../entities/refresh-token.js";
import { SessionEntity } from "../entities/session.js";
import { hashOfSecret, isSecretShaped, newSecret } from "./secrets.js";

/** Why a session ended, as `session.revoke_reason` records it. */
export type RevokeReason = "LOGOUT" | "PASSWORD_CHANGED" | "PASSWORD_RESET" | "USER_DISABLED" | "TOKEN_REUSED";

/** A refresh token just issued: shown to its owner once, then only its hash remains. */
export interface IssuedRefreshToken {
  readonly token: string;
  readonly sessionId: string;
  /** The session's end, which rotation does not move. */
  readonly expireTime: Date;
  /** How the session's sign-in was made (RFC 8176 `amr`), which its access tokens state. */
  readonly amr: readonly string[];
}

/**
 * A new session for the user, with its first refresh token. Inside the sign-in's transaction. `amr` says
 * how the user signed in (`["pwd"]`, or `["pwd", "otp"]` with a second factor).
 */
export async function startSession(
  em: EntityManager,
  userId: string,
  now: Date,
  ttlMs: number,
  amr: readonly string[] = ["pwd"],
): Promise<IssuedRefreshToken> {
  const session = { id: randomUUID(), userId, createTime: now, expireTime: new Date(now.getTime() + ttlMs) };
  await em.insert(SessionEntity, { ...session, revokeTime: null, revokeReason: "", amr: [...amr] });
  const token = await addToken(em, session.id, now);
  return { token, sessionId: session.id, expireTime: session.expireTime, amr };
}

async function addToken(em: EntityManager, sessionId: string, now: Date): Promise<string> {
  const token = newSecret();
  await em.insert(RefreshTokenEntity, {
    id: randomUUID(),
    sessionId,
    tokenHash: hashOfSecret(token),
    createTime: now,
    useTime: null,
  });
  return token;
}

/** What presenting a refresh token led to; `U` is what `admit` made of the session's user. */
export type Rotation<U> =
  | { readonly outcome: "rotated"; readonly user: U; readonly refresh: IssuedRefreshToken }
  /** Unknown, expired, or of a revoked session. */
  | { readonly outcome: "refused" }
  /** Already rotated: the whole session is now revoked. */
  | { readonly outcome: "reused"; readonly userId: string; readonly sessionId: string };

/**
 * Exchanges a live refresh token for its successor, in one transaction: the token's row and its session's
 * are locked, so of two requests with one token exactly one rotates it and the other sees it used. A token
 * used before is the signature of a stolen token (RFC 9700, refresh token rotation: either the thief
 * or the owner is presenting an old one), so the session is revoked — every token of it, the newest included — and that
 * revocation commits although the call fails. `admit` reads the session's user in the same transaction
 * before anything is issued, and refuses it (undefined) when it may not refresh: a disabled account.
 */
export async function rotate<U>(
  orm: Database,
  token: string,
  now: Date,
  admit: (em: EntityManager, userId: string) => Promise<U | undefined>,
): Promise<Rotation<U>> {
  if (!isSecretShaped(token)) return { outcome: "refused" };
  return await orm.em.fork().transactional(async (em) => {
    // Raw rows carry timestamps as PostgreSQL's text, not as Dates: only expire_time is read as a time.
    const [found] = await em.execute<
      {
        token_id: string;
        use_time: string | null;
        session_id: string;
        user_id: string;
        expire_time: string;
        revoke_time: string | null;
        amr: string[];
      }[]
    >(
      `select t."id" as token_id, t."use_time", s."id" as session_id, s."user_id", s."expire_time", s."revoke_time",
              s."amr"
         from "refresh_token" t join "session" s on s."id" = t."session_id"
        where t."token_hash" = ? for update of t, s`,
      [hashOfSecret(token)],
    );
    if (found === undefined || found.revoke_time !== null || new Date(found.expire_time) <= now) {
      return { outcome: "refused" };
    }
    if (found.use_time !== null) {
      await revokeSession(em, found.session_id, "TOKEN_REUSED", now);
      return { outcome: "reused", userId: found.user_id, sessionId: found.session_id };
    }
    const user = await admit(em, found.user_id);
    if (user === undefined) return { outcome: "refused" };
    await em.nativeUpdate(RefreshTokenEntity, { id: found.token_id }, { useTime: now });
    const successor = await addToken(em, found.session_id, now);
    return {
      outcome: "rotated",
      user,
      refresh: {
        token: successor,
        sessionId: found.session_id,
        expireTime: new Date(found.expire_time),
        amr: found.amr,
      },
    };
  });
}

/** The session a refresh token belongs to, live or not; undefined for a token never issued. */
export async function sessionOfToken(orm: Database, token: string): Promise<SessionEntity | undefined> {
  if (!isSecretShaped(token)) return undefined;
  const em = orm.em.fork();
  const row = await em.findOne(RefreshTokenEntity, { tokenHash: hashOfSecret(token) });
  if (row === null) return undefined;
  return (await em.findOne(SessionEntity, { id: row.sessionId })) ?? undefined;
}

/** Revokes one session; 1 when it was live (and unexpired), 0 when it had ended already. */
export async function revokeSession(
  em: EntityManager,
  sessionId: string,
  reason: RevokeReason,
  now: Date,
): Promise<number> {
  return await em.nativeUpdate(
    SessionEntity,
    { id: sessionId, revokeTime: null, expireTime: { $gt: now } },
    { revokeTime: now, revokeReason: reason },
  );
}

/** Revokes every live session of a user; how many were live. */
export async function revokeSessionsOf(
  em: EntityManager,
  userId: string,
  reason: RevokeReason,
  now: Date,
): Promise<number> {
  return await em.nativeUpdate(
    SessionEntity,
    { userId, revokeTime: null, expireTime: { $gt: now } },
    { revokeTime: now, revokeReason: reason },
  );
}
