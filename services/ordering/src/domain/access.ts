import { hasRole, type Principal } from "@marquee/mesh";
import type { OrderEntity } from "../entities/index.js";
import type { Viewer } from "../store/messages.js";

/**
 * Who may see an order, and how: its buyer (a user, or the partner client that placed it) with the QR
 * payloads; the organizer of its event and admins without them. Anyone else is told it does not exist.
 */
export function viewerOf(principal: Principal | undefined, order: OrderEntity): Viewer | undefined {
  if (principal === undefined) return undefined;
  if (principal.subject === order.userId) return { withQrPayloads: true };
  if (isOrganizerOf(principal, order)) return { withQrPayloads: false };
  return undefined;
}

/** Whether the principal manages the order's event: its organizer, or an admin. */
export function isOrganizerOf(principal: Principal, order: Pick<OrderEntity, "organizerId">): boolean {
  if (hasRole(principal, "admin")) return true;
  return hasRole(principal, "organizer") && principal.subject === order.organizerId;
}
