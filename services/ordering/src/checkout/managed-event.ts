import { Code, ConnectError, hasRole, notFound, type Principal } from "@marquee/mesh";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { Ordering } from "../ordering.js";

/**
 * An event the caller manages — its organizer's, or any for an admin (and for a partner, when
 * `partners` says so: a door vendor verifies tickets of any event) — read from catalog; NOT_FOUND for
 * anyone else's, so organizers cannot probe each other's events. Call it inside `outsideCall`, so catalog
 * is asked with ordering's own token (which a partner's scopes need not cover) and sees drafts too.
 */
export async function managedEventOf(
  ordering: Ordering,
  eventId: string,
  principal: Principal | undefined,
  options: { readonly partners?: boolean } = {},
): Promise<Event> {
  let event: Event | undefined;
  try {
    ({ event } = await ordering.catalog.getEvent({ eventId }, { timeoutMs: 5000 }));
  } catch (thrown) {
    if (ConnectError.from(thrown).code === Code.NotFound) throw notFound("event", eventId);
    throw thrown;
  }
  const manages =
    principal !== undefined &&
    ((options.partners === true && principal.kind === "partner") ||
      hasRole(principal, "admin") ||
      principal.subject === event?.organizerId);
  if (event === undefined || !manages) throw notFound("event", eventId);
  return event;
}
