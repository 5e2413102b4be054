import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { defineRpc } from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { seatMapOf, soldEvent } from "../store/lookups.js";
import { sectionsOf } from "../store/seat-maps.js";

/**
 * CatalogInternalService.GetHoldPolicy: what inventory needs to sell a published event — its hold policy
 * with defaults applied, sales window (opening at publication and closing at the start unless set), legs,
 * seat count and general-admission capacities, and the version of its frozen map.
 */
export const getHoldPolicy = defineRpc(CatalogInternalService.method.getHoldPolicy, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler({ orm }: Catalog) {
    return async (request) => {
      const em = orm.em.fork();
      const row = await soldEvent(em, request.eventId);
      const event = toEventMessage(row);
      const sections = await sectionsOf(em, seatMapOf(row));
      const opens = row.salesStartTime ?? row.publishTime ?? row.createTime;
      const closes = row.salesEndTime ?? row.startTime;
      return {
        eventId: row.id,
        kind: event.kind,
        state: event.state,
        ...(event.holdPolicy ? { holdPolicy: event.holdPolicy } : {}),
        stopIds: event.stops.map((stop) => stop.id),
        salesStartTime: timestampFromDate(opens),
        salesEndTime: timestampFromDate(closes),
        seatCount: sections.filter((s) => !s.isGeneralAdmission).reduce((sum, s) => sum + s.capacity, 0),
        generalAdmission: sections
          .filter((section) => section.isGeneralAdmission)
          .map((section) => ({ sectionId: section.id, capacity: section.capacity })),
        version: BigInt(row.mapVersion),
      };
    };
  },
});
