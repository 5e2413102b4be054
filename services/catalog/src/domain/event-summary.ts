import { create } from "@bufbuild/protobuf";
import { Category, type Event, EventKind } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import {
  type EventSummary,
  EventSummarySchema,
  EventKind as SummaryKind,
} from "@marquee/proto/marquee/events/v1/events_pb.js";

/** What read models keep of an event (search, notifications): the EventSummary of its events. */
export function summaryOf(event: Event, lowestPriceMinor: bigint | undefined): EventSummary {
  return create(EventSummarySchema, {
    eventId: event.id,
    organizerId: event.organizerId,
    kind: event.kind === EventKind.TRIP ? SummaryKind.TRIP : SummaryKind.EVENT,
    category: Category[event.category] ?? "",
    title: event.title,
    description: event.description,
    venueName: event.venueName,
    city: event.city,
    stopCities: event.stops.map((stop) => stop.city),
    ...(event.startTime ? { startTime: event.startTime } : {}),
    ...(event.endTime ? { endTime: event.endTime } : {}),
    ...(lowestPriceMinor === undefined
      ? {}
      : { lowestPrice: { currencyCode: event.currencyCode, amountMinor: lowestPriceMinor } }),
    capacity: event.capacity,
  });
}
