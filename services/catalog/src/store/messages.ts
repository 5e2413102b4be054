import { create } from "@bufbuild/protobuf";
import {
  type EventSeat,
  EventSeatSchema,
  type PriceTier,
  type SectionSummary,
  SectionSummarySchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { sectionTierOf, tierFor } from "../domain/pricing.js";
import type { MapSeat, MapSection } from "./seat-maps.js";

/** A seat of an event's map as the API shows it, with the tier pricing it (events; trips go by fare). */
export function toEventSeat(seat: MapSeat, tiers: readonly PriceTier[]): EventSeat {
  return create(EventSeatSchema, {
    id: seat.id,
    sectionId: seat.sectionId,
    rowLabel: seat.rowLabel,
    label: seat.label,
    x: seat.x,
    y: seat.y,
    seatClass: seat.seatClass,
    isAccessible: seat.isAccessible,
    priceTierId: tierFor(tiers, seat.sectionId, seat.seatClass)?.id ?? "",
    index: seat.index,
  });
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
