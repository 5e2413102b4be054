import { useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/** ListMyEvents' largest page (catalog.proto): the newest 200 events of every organizer. */
const eventPageSize = 200;

/**
 * Every organizer's events, newest first: for an admin, catalog's ListMyEvents lists everyone's. The
 * admin pages name orders' and reports' events by title from it, and offer it to pick an event.
 */
export function useAllEvents(): { events: readonly Event[] | undefined; error: unknown } {
  const listed = useQuery(CatalogService.method.listMyEvents, { pageSize: eventPageSize });
  return { events: listed.data?.events, error: listed.error };
}
