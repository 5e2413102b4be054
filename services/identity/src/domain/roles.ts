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
