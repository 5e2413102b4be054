import { clone, create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Event,
  EventKind,
  EventSchema,
  HoldPolicySchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { resolveHoldPolicy, tierIdsOf } from "./event-rules.js";
import { routeTimes, stopIdsOf } from "./stops.js";

/**
 * A checked event as it is stored: stop and tier ids assigned, a trip's start and end taken from its
 * route, every price in the event's currency, the hold policy with its defaults. Output-only fields are
 * left as they are: the store sets its own. Returns a copy.
 */
export function normalizeEvent(event: Event): Event {
  const normal = clone(EventSchema, event);
  const stopIds = stopIdsOf(normal.stops);
  normal.stops.forEach((stop, i) => {
    stop.id = stopIds[i] ?? stop.id;
  });
  const tierIds = tierIdsOf(normal.priceTiers);
  normal.priceTiers.forEach((tier, i) => {
    tier.id = tierIds[i] ?? tier.id;
  });
  for (const price of [...normal.priceTiers.map((t) => t.price), ...normal.fares.map((f) => f.price)]) {
    if (price !== undefined) price.currencyCode = normal.currencyCode;
  }
  const policy = resolveHoldPolicy(normal.holdPolicy);
  normal.holdPolicy = create(HoldPolicySchema, {
    maxSeatsPerUser: policy.maxSeatsPerUser,
    holdDuration: durationFromMs(policy.holdDurationMs),
    maxExtensions: policy.maxExtensions,
  });
  if (normal.kind === EventKind.TRIP) {
    const { start, end } = routeTimes(normal.stops);
    normal.startTime = start;
    normal.endTime = end;
  }
  return normal;
}
