import { create } from "@bufbuild/protobuf";
import {
  type EventSeat,
  EventSeatSchema,
  type PriceTier,
  type SectionSummary,
  SectionSummarySchema,
  type VenueSeat,
  VenueSeatSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { sectionTierOf, tierFor } from "../domain/pricing.js";
import type { MapSeat, MapSection } from "./seat-maps.js";

/** What a seat of a map shows wherever it is listed: on a venue's map and, with its price, on an event's. */
function seatShown(seat: MapSeat) {
  return {
    id: seat.id,
    sectionId: seat.sectionId,
    rowLabel: seat.rowLabel,
    label: seat.label,
    x: seat.x,
    y: seat.y,
    seatClass: seat.seatClass,
    isAccessible: seat.isAccessible,
  };
}

/** A seat of an event's map as the API shows it, with the tier pricing it (events; trips go by fare). */
export function toEventSeat(seat: MapSeat, tiers: readonly PriceTier[]): EventSeat {
  return create(EventSeatSchema, {
    ...seatShown(seat),
    priceTierId: tierFor(tiers, seat.sectionId, seat.seatClass)?.id ?? "",
    index: seat.index,
  });
}

/** A seat of a venue's current map as ListVenueSeats shows it. */
export function toVenueSeat(seat: MapSeat): VenueSeat {
  return create(VenueSeatSchema, seatShown(seat));
}

/** A section of an event's map as GetSeatMap shows it. */
export function toSectionSummary(section: MapSection, tiers: readonly PriceTier[]): SectionSummary {
  return create(SectionSummarySchema, {
    id: section.id,
    name: section.name,
    isGeneralAdmission: section.isGeneralAdmission,
    capacity: section.capacity,
    priceTierId: sectionTierOf(tiers, section.id)?.id ?? "",
    minX: section.minX,
    minY: section.minY,
    maxX: section.maxX,
    maxY: section.maxY,
  });
}
