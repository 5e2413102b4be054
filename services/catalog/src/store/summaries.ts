import { EventKind } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { EventSummary } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { summaryOf } from "../domain/event-summary.js";
import { lowestPrice, seatClassesToPrice } from "../domain/pricing.js";
import type { EventEntity } from "../entities/event.js";
import { toEventMessage } from "./events.js";
import { seatMapOf } from "./lookups.js";
import { pricedSectionsOf } from "./seat-maps.js";

/** The EventSummary of an event's messages, its lowest price taken over the map it sells. */
export async function eventSummaryOf(em: EntityManager, row: EventEntity): Promise<EventSummary> {
  const event = toEventMessage(row);
  const sections = await pricedSectionsOf(em, seatMapOf(row));
  const lowest = lowestPrice(
    {
      isTrip: event.kind === EventKind.TRIP,
      priceTiers: event.priceTiers,
      fares: event.fares,
      stopIds: event.stops.map((stop) => stop.id),
    },
    seatClassesToPrice(sections),
  );
  return summaryOf(event, lowest);
}
