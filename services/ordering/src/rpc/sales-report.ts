import { timestampDate } from "@bufbuild/protobuf/wkt";
import { defineRpc, invalidArgument, outsideCall } from "@marquee/mesh";
import type { Event } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { SalesReportGrouping } from "@marquee/proto/marquee/ordering/v1/report_pb.js";
import { managedEventOf } from "../checkout/managed-event.js";
import type { Ordering } from "../ordering.js";
import { toSalesReport } from "../store/messages.js";
import { dayCountOf, firstSaleTime, inSnapshot, type Sales, type SalesPeriod, salesOf } from "../store/sales.js";

/** Most days a report split by day may have: a leap year's. */
const maxDays = 366;

/**
 * OrderingService.SalesReport: an event's sales over a period, summed by PostgreSQL (store/sales.ts), in
 * total, per day of the request's time zone, per price tier or seat class and per ride. The first sale,
 * the number of days and the figures are read in one snapshot, so they agree with each other.
 *
 * Not in the contract yet, though organizers ask for them per event: seats held (inventory's live holds,
 * a count that changes by the second and belongs to no period) and occupancy (seats sold over capacity;
 * for a trip per leg, since one seat carries a rider per stretch). Both are inventory's and catalog's
 * figures, not ordering's; the proposal is a `SalesReportResponse.inventory` snapshot of them.
 */
export const salesReport = defineRpc(OrderingService.method.salesReport, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    if (request.timeZone !== "") {
      check.that("time_zone", ianaZoneOf(request.timeZone) !== undefined, "must be an IANA time zone, e.g. Asia/Dhaka");
    }
    if (request.startTime !== undefined) {
      const endMs = request.endTime === undefined ? Date.now() : timestampDate(request.endTime).getTime();
      check.that(
        "end_time",
        endMs > timestampDate(request.startTime).getTime(),
        "must be after start_time (unset: now)",
      );
    }
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const end = request.endTime === undefined ? new Date() : timestampDate(request.endTime);
      const event = await outsideCall(() => managedEventOf(ordering, request.eventId, call.principal));
      const { period, sales } = await inSnapshot(ordering.orm, async (em) => {
        const start =
          request.startTime === undefined ? await firstSaleTime(em, event.id) : timestampDate(request.startTime);
        const period: SalesPeriod = {
          // Before any sale, or when the first came after the end, the period is empty.
          start: start === undefined || start > end ? end : start,
          end,
          timeZone: ianaZoneOf(request.timeZone || "UTC") ?? "UTC",
          byDay: request.groupBy === SalesReportGrouping.DAY,
        };
        if (period.byDay) {
          const days = await dayCountOf(em, period);
          if (days > maxDays) {
            throw invalidArgument(
              "group_by",
              `splits at most ${maxDays} days; the period has ${days} in ${period.timeZone}`,
            );
          }
        }
        return { period, sales: await salesOf(em, event.id, period) };
      });
      return toSalesReport(event.id, period, inRouteOrder(sales, event), event.currencyCode);
    };
  },
});

/**
 * The canonical name of an IANA time zone (`asia/dhaka` → `Asia/Dhaka`), as the ICU in Node knows them;
 * undefined otherwise. ICU also accepts UTC offsets such as `+06:00`, which are no IANA zone and which
 * PostgreSQL would read the POSIX way, with the sign inverted.
 */
function ianaZoneOf(name: string): string | undefined {
  try {
    const zone = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    return /^[+-]/.test(zone) ? undefined : zone;
  } catch {
    return undefined;
  }
}

/** The rides in the order a trip runs them: by boarding stop along the route, then by alighting stop. */
function inRouteOrder(sales: Sales, event: Event): Sales {
  const stop = new Map(event.stops.map((s, index) => [s.id, index]));
  const position = (id: string) => stop.get(id) ?? event.stops.length;
  const rides = [...sales.rides].sort(
    (a, b) =>
      position(a.ride.boardingStopId) - position(b.ride.boardingStopId) ||
      position(a.ride.alightingStopId) - position(b.ride.alightingStopId),
  );
  return { ...sales, rides };
}
