import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { checkRide, defineRpc } from "@marquee/mesh";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { legsOfRequest } from "../api/ride.js";
import type { SlotState } from "../domain/availability.js";
import { legMask } from "../domain/legs.js";
import type { Inventory } from "../inventory.js";
import { seatStateOf } from "./get-availability.js";

/** Seats per snapshot message: a 100,000-seat map takes several, each well under the 4 MiB limit. */
export const snapshotBatchSize = 20_000;

/**
 * InventoryService.WatchAvailability: a snapshot of the ride (its seats in batches of `snapshotBatchSize`,
 * `is_snapshot` on the first, which carries every section), then every change for that ride as it
 * happens — through this replica's one reader of the event's change stream (see AvailabilityFeed).
 */
export const watchAvailability = defineRpc(InventoryService.method.watchAvailability, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    checkRide(check, request.ride);
  },
  handler(inventory: Inventory) {
    return async function* (request, call) {
      const seating = await inventory.seatings.get(request.eventId);
      const legs = legsOfRequest(seating, request.ride);
      const updates = inventory.feed.watch(seating, legMask(legs.fromLeg, legs.toLeg), call.signal, () =>
        inventory.snapshot(seating),
      );
      for await (const update of updates) {
        const seats = update.seats.map(({ slot, state }) => ({
          seatId: seating.seatIdAt(slot),
          state: seatStateOf[state as SlotState],
        }));
        const changeTime = timestampFromMs(update.changeTimeMs);
        for (let from = 0; from === 0 || from < seats.length; from += snapshotBatchSize) {
          yield {
            isSnapshot: update.isSnapshot && from === 0,
            seats: seats.slice(from, from + snapshotBatchSize),
            sections: from === 0 ? [...update.sections] : [],
            cursor: update.cursor,
            changeTime,
          };
        }
      }
    };
  },
});
