import { type CallContext, callerIdOf, permissionDenied, unauthenticated } from "@marquee/mesh";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { UserEntity } from "./entities/user.js";
import { findUser } from "./store/users.js";

/**
 * The account behind a signed-in call, as the database has it now — not as the token said some minutes
 * ago: identity refuses a disabled user's calls at once (PERMISSION_DENIED, as the contract says),
 * whatever their token's expiry, and a token of an account that does not exist is UNAUTHENTICATED.
 * Partners and services have no account here: PERMISSION_DENIED.
 */
export async function activeCaller(em: EntityManager, call: CallContext, lock = false): Promise<UserEntity> {
  if (call.principal?.kind !== "user") throw permissionDenied("only a user's token has an account");
  const user = await findUser(em, callerIdOf(call), lock);
  if (user === null) throw unauthenticated("the account of this token does not exist");
  if (user.disableTime != null) throw permissionDenied("the account is disabled");
  return user;
}

/**
 * {@link activeCaller} who is an admin now. The token's roles got the call this far (the mesh checked
 * them); an admin demoted since it was issued is refused here, since identity's admin RPCs change who
 * may do what.
 */
export async function activeAdmin(em: EntityManager, call: CallContext): Promise<UserEntity> {
  const admin = await activeCaller(em, call);
  if (!admin.roles.includes("admin")) throw permissionDenied("the account is no longer an admin");
  return admin;
}
