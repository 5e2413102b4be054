import { hasRole, type Principal } from "@marquee/mesh";

/**
 * Who may see and change what. Organizers own what they create; admins act on everything. A resource the
 * caller may not see is answered NOT_FOUND, as if it did not exist, so ids cannot be probed.
 */

/** Whether the caller is an admin. */
export function isAdmin(principal: Principal | undefined): boolean {
  return principal?.kind === "user" && hasRole(principal, "admin");
}

/** Whether the caller may see and change a venue or an event owned by `ownerId`. */
export function canManage(principal: Principal | undefined, ownerId: string): boolean {
  return principal !== undefined && principal.kind === "user" && (principal.subject === ownerId || isAdmin(principal));
}

/** Whether the caller may read an event: anyone once it is published or cancelled, a draft only whom canManage. */
export function canRead(principal: Principal | undefined, ownerId: string, isDraft: boolean): boolean {
  return !isDraft || canManage(principal, ownerId);
}

/** The owner filter of the caller's lists: its own id, or none for an admin. */
export function ownerFilterOf(principal: Principal | undefined): string | undefined {
  if (isAdmin(principal)) return undefined;
  return principal?.subject ?? "";
}
