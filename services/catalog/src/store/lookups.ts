import { Code, ConnectError, notFound, type Principal } from "@marquee/mesh";
import type { EntityManager } from "@mikro-orm/postgresql";
import { canManage, canRead } from "../domain/access.js";
import type { EventEntity } from "../entities/event.js";
import type { VenueEntity } from "../entities/venue.js";
import { findEvent } from "./events.js";
import type { SeatMapOwner } from "./seat-maps.js";
import { findVenue } from "./venues.js";

/**
 * The resource an RPC acts on, found and checked against the caller in one step: what the caller may not
 * see is NOT_FOUND, exactly as what does not exist.
 */

/** An event the caller may read: published or cancelled, or a draft the caller manages. */
export async function readableEvent(em: EntityManager, principal: Principal | undefined, id: string) {
  const event = await findEvent(em, id);
  if (event === null || !canRead(principal, event.organizerId, event.state === "DRAFT")) throw notFound("event", id);
  return event;
}

/** An event the caller manages, locked for update when `lock` is set. */
export async function manageableEvent(
  em: EntityManager,
  principal: Principal | undefined,
  id: string,
  lock = false,
): Promise<EventEntity> {
  const event = await findEvent(em, id, lock);
  if (event === null || !canManage(principal, event.organizerId)) throw notFound("event", id);
  return event;
}

/**
 * An event the caller manages, locked for update, with its venue locked for share. The venue is locked
 * first: every catalog transaction takes venue before event (UpdateVenue locks a venue, then changes its
 * drafts), so two of them never wait on each other.
 */
export async function manageableEventWithVenue(
  em: EntityManager,
  principal: Principal | undefined,
  id: string,
): Promise<{ event: EventEntity; venue: VenueEntity | null }> {
  const [peek] = await em.execute<{ venue_id: string }[]>("select venue_id from event where id = ?", [id]);
  if (peek === undefined) throw notFound("event", id);
  const venue = await findVenue(em, peek.venue_id, "share");
  const event = await manageableEvent(em, principal, id, true);
  if (event.venueId !== peek.venue_id) {
    // Moved to another venue between the two reads. Locking the new venue now would take the locks out of
    // order; the mesh's word for a lost race is ABORTED, which the caller may retry.
    throw new ConnectError("the event changed venue meanwhile; retry", Code.Aborted);
  }
  return { event, venue };
}

/** A published or cancelled event, for the internal RPCs: drafts do not exist for inventory and ordering. */
export async function soldEvent(em: EntityManager, id: string): Promise<EventEntity> {
  const event = await findEvent(em, id);
  if (event === null || event.state === "DRAFT") throw notFound("event", id);
  return event;
}

/** A venue the caller manages; `lock` as for `findVenue`. */
export async function manageableVenue(
  em: EntityManager,
  principal: Principal | undefined,
  id: string,
  lock?: "share" | "update",
): Promise<VenueEntity> {
  const venue = await findVenue(em, id, lock);
  if (venue === null || !canManage(principal, venue.organizerId)) throw notFound("venue", id);
  return venue;
}

/** The seat map an event sells: its venue's current one while a draft, its frozen copy once published. */
export function seatMapOf(event: EventEntity): SeatMapOwner {
  return event.state === "DRAFT" ? { kind: "venue", id: event.venueId } : { kind: "event", id: event.id };
}
