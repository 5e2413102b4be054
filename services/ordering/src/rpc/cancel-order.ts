import { callerIdOf, defineRpc, failedPrecondition, notFound } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { OrderEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { toOrderMessage } from "../store/messages.js";
import { readOrderRecord } from "../store/orders.js";
import { checkNote } from "./request-rules.js";

/** How long CancelOrder waits for a pending order's compensation (void, seats back) before answering. */
const compensationWaitMs = 3000;

/**
 * OrderingService.CancelOrder, by the buyer. A PENDING order whose seats are not yet committed is handed
 * to the saga's compensation with its cancel time set (a conditional update on the step, so a runner
 * that finishes its step meanwhile changes nothing, and compensates next), which voids any authorization, frees the
 * hold and ends it CANCELLED. A confirmed order may be cancelled only as its event's cancellation policy
 * allows — and catalog has no such policy yet, so `cancel_deadline_time` is never set and the answer is
 * FAILED_PRECONDITION; an order at the capture step is about to be confirmed and is judged as confirmed.
 */
export const cancelOrder = defineRpc(OrderingService.method.cancelOrder, {
  rules(request, check) {
    check.id("order_id", request.orderId);
    checkNote(check, request.note);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const record = await readOrderRecord(ordering.orm, request.orderId);
      if (record === null || record.order.userId !== callerIdOf(call)) throw notFound("order", request.orderId);
      const { order } = record;
      const refuse = (type: string, description: string) =>
        failedPrecondition(`the order cannot be cancelled: ${description}`, [
          { type, subject: `order:${order.id}`, description },
        ]);
      switch (order.state) {
        case "CANCELLED":
          return { order: toOrderMessage(record, { withQrPayloads: true }) };
        case "FAILED":
        case "EXPIRED":
        case "REFUNDED":
          throw refuse("ORDER_ENDED", `it is ${order.state.toLowerCase()}`);
        case "PENDING":
          if (order.sagaStep === "AUTHORIZE" || order.sagaStep === "COMMIT") {
            const taken = await ordering.orm.em
              .fork()
              .nativeUpdate(
                OrderEntity,
                { id: order.id, state: "PENDING", sagaStep: order.sagaStep },
                { sagaStep: "COMPENSATE", cancelTime: new Date(), paymentMethodToken: null, updateTime: new Date() },
              );
            if (taken === 1) {
              call.log.info({ orderId: order.id }, "pending order cancelled by its buyer");
              // An order waiting out a retry's back-off is due at once; a runner that holds the lease
              // keeps it, sees the new step when its own step ends, and compensates itself.
              await ordering.orm.em
                .fork()
                .nativeUpdate(OrderEntity, { id: order.id, leaseOwner: null }, { leaseUntil: null });
              await Promise.race([ordering.saga.advance(order.id), sleep(compensationWaitMs)]);
            }
            const now = await readOrderRecord(ordering.orm, order.id);
            if (now === null) throw notFound("order", request.orderId);
            if (taken === 1 || now.order.state === "CANCELLED") {
              return { order: toOrderMessage(now, { withQrPayloads: true }) };
            }
          }
          throw refuse("ORDER_BEING_CONFIRMED", "its payment is being completed; read it again in a moment");
        default:
          // CONFIRMED, PARTIALLY_REFUNDED: only under the event's cancellation policy, which none has yet.
          throw refuse("CANCELLATION_NOT_ALLOWED", "the event's policy does not let buyers cancel");
      }
    };
  },
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
