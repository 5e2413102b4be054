import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type HoldSchema, HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import type { HoldRecord, HoldStateName } from "../domain/holds.js";
import { rangeOfMask } from "../domain/legs.js";
import type { Seating } from "../domain/seating.js";
import { rideOfLegs } from "./ride.js";

const states: Record<HoldStateName, HoldState> = {
  active: HoldState.ACTIVE,
  committed: HoldState.COMMITTED,
  released: HoldState.RELEASED,
  expired: HoldState.EXPIRED,
};

/**
 * A hold as the API shows it. A hold past its expiry that the sweeper has not reached yet is EXPIRED
 * already: its seats are no longer the buyer's, whatever the next sweep's timing.
 */
export function toHoldMessage(
  seating: Seating,
  hold: HoldRecord,
  nowMs = Date.now(),
): MessageInitShape<typeof HoldSchema> {
  const { seatIds, places } = seating.describe(hold.seatIndexes);
  const lapsed = hold.state === "active" && hold.expiresAtMs <= nowMs;
  const ride = rideOfLegs(seating, rangeOfMask(hold.legMask));
  return {
    id: hold.id,
    eventId: hold.eventId,
    ...(ride ? { ride } : {}),
    userId: hold.userId,
    seatIds,
    places,
    state: lapsed ? HoldState.EXPIRED : states[hold.state],
    expireTime: timestampFromMs(hold.expiresAtMs),
    extensionsLeft: hold.extensionsLeft,
    ...(hold.createdAtMs ? { createTime: timestampFromMs(hold.createdAtMs) } : {}),
    orderId: hold.orderId,
  };
}
