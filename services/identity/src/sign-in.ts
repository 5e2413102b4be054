import type { Role } from "@marquee/mesh";
import type { TokenSet } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { UserEntity } from "./entities/user.js";
import type { Identity } from "./identity.js";
import { tokenSetMessage } from "./store/messages.js";
import { type IssuedRefreshToken, startSession } from "./store/sessions.js";
import { signAccessToken } from "./tokens/access-tokens.js";

/**
 * Signs a user in: a new session with its first refresh token, and an access token with the user's
 * current roles and `amr`, how they signed in (a password: `["pwd"]`; with a second factor, CompleteLogin
 * passes `["pwd", "otp"]`). Inside the transaction of the change that signs in (Register's insert, Login's last
 * sign-in time), so a failure leaves no session behind.
 */
export async function openSession(
  identity: Identity,
  em: EntityManager,
  user: UserEntity,
  now: Date,
  amr: readonly string[] = ["pwd"],
): Promise<TokenSet> {
  const refresh = await startSession(em, user.id, now, identity.lifetimes.refreshTokenMs, amr);
  return await tokensFor(identity, user, refresh, now);
}

/**
 * The token set of a session's refresh token and a fresh access token for the user, stating how the
 * session signed in (`amr`).
 */
export async function tokensFor(
  identity: Identity,
  user: Pick<UserEntity, "id" | "roles">,
  refresh: IssuedRefreshToken,
  now: Date,
): Promise<TokenSet> {
  const access = await signAccessToken(
    identity.keys,
    { userId: user.id, roles: user.roles as Role[], amr: refresh.amr },
    identity.lifetimes.accessTokenSec,
    now,
  );
  return tokenSetMessage(access, refresh);
}
