import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, defineRpc, writeEvent } from "@marquee/mesh";
import { SeatsSoldSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { changedHold, eventCancelled } from "../api/hold-errors.js";
import { toHoldMessage } from "../api/hold-message.js";
import { rideOfLegs } from "../api/ride.js";
import { rangeOfMask } from "../domain/legs.js";
import type { Inventory } from "../inventory.js";
import { saleMayBeRecorded } from "../store/closed-events.js";
import { recordSale } from "../store/ledger.js";
import { checkHoldId } from "./request-rules.js";

/**
 * InventoryInternalService.CommitHold: the hold's seats become sold, first in Redis (the script refuses a
 * lapsed, released or other order's hold) and then in the ledger, with SeatsSold in the same transaction.
 * Both steps are idempotent per order, so a saga retrying after any failure converges. Should the ledger
 * refuse (a seat-leg it has sold to another order, which only a Redis that lost writes can cause), the
 * Redis sale is undone and the refusal, naming each seat-leg, is returned. A closed event's commits are
 * refused by the script; one that passed it just before the closure but reaches the ledger after it is
 * refused there (EVENT_CANCELLED) and undone the same way, so the ledger has no sale after a closure.
 */
export const commitHold = defineRpc(InventoryInternalService.method.commitHold, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
    check.id("order_id", request.orderId);
  },
  handler(inventory: Inventory) {
    return async (request) => {
      const { seating } = await inventory.holdOf(request.holdId, undefined);
      const change = await inventory.store.commit(seating.eventId, request.holdId, request.orderId);
      const hold = changedHold(seating, request.holdId, change);
      const legs = rangeOfMask(hold.legMask);
      const sale = { eventId: seating.eventId, orderId: request.orderId, holdId: hold.id, userId: hold.userId, legs };
      let closed = false;
      try {
        await inventory.orm.em.fork().transactional(async (em) => {
          if (!(await saleMayBeRecorded(em, sale))) {
            closed = true;
            throw eventCancelled(seating.eventId);
          }
          const { recorded } = await recordSale(em, { ...sale, seatIndexes: hold.seatIndexes });
          if (recorded === 0) return;
          const { seatIds, places } = seating.describe(hold.seatIndexes);
          const ride = rideOfLegs(seating, legs);
          await writeEvent(em, {
            source: "inventory",
            subject: seating.eventId,
            schema: SeatsSoldSchema,
            payload: create(SeatsSoldSchema, {
              eventId: seating.eventId,
              orderId: request.orderId,
              holdId: hold.id,
              ...(ride ? { ride } : {}),
              seatIds,
              placeCount: places.reduce((sum, place) => sum + place.quantity, 0),
              availableAfter: await inventory.availableOnWholeRoute(seating),
            }),
          });
        });
      } catch (error) {
        if (error instanceof ConnectError && error.code === Code.FailedPrecondition) {
          await inventory.store.releaseSold(seating.eventId, request.orderId, hold.seatIndexes);
          const fields = { eventId: seating.eventId, holdId: hold.id };
          if (closed) inventory.log.info(fields, "sale undone: the event's sales closed before it reached the ledger");
          else inventory.log.error({ ...fields, err: error }, "ledger refused a Redis sale");
        }
        throw error;
      }
      return { hold: toHoldMessage(seating, hold) };
    };
  },
});
