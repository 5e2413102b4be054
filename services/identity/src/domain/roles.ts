import type { Role as RoleName } from "@marquee/mesh";
import { Role } from "@marquee/proto/marquee/identity/v1/resources_pb.js";

/**
 * Roles as identity stores them and as the `roles` claim carries them: the lower-case names the mesh's
 * verifier accepts, always with "customer", in the contract's order customer, organizer, admin.
 */
const names: ReadonlyArray<readonly [Role, RoleName]> = [
  [Role.CUSTOMER, "customer"],
  [Role.ORGANIZER, "organizer"],
  [Role.ADMIN, "admin"],
];

/** The stored roles of a request's list: duplicates dropped, ROLE_CUSTOMER added, in contract order. */
export function roleNamesOf(roles: readonly Role[]): RoleName[] {
  const wanted = new Set([Role.CUSTOMER, ...roles]);
  return names.filter(([role]) => wanted.has(role)).map(([, name]) => name);
}

/** The proto roles of stored names, in contract order; a name this version does not know is left out. */
export function rolesOf(stored: readonly string[]): Role[] {
  return names.filter(([, name]) => stored.includes(name)).map(([role]) => role);
}

/** The stored name of a proto role, for filtering; undefined for ROLE_UNSPECIFIED. */
export function roleNameOf(role: Role): RoleName | undefined {
  return names.find(([known]) => known === role)?.[1];
}

/** Whether `name` is a role identity stores ("customer", "organizer", "admin"). */
export function isRoleName(name: string): name is RoleName {
  return names.some(([, known]) => known === name);
}

/** `stored` with `added` granted: customer always, in contract order, each once. */
export function withRoles(stored: readonly string[], added: readonly RoleName[]): RoleName[] {
  const wanted = new Set<string>(["customer", ...stored, ...added]);
  return names.filter(([, name]) => wanted.has(name)).map(([, name]) => name);
}
