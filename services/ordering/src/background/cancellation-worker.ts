import { randomUUID } from "node:crypto";
import { type BackgroundTask, startPeriodic } from "@marquee/mesh";
import { failureMessages } from "../domain/checkout-saga.js";
import { carryOut, recordRefund } from "../domain/refunds.js";
import { OrderEntity, TicketEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import {
  countWorkedOff,
  finishCancellationIfSettled,
  handPendingToCompensation,
  lockRefundableOrderIds,
  refundingEventIds,
} from "../store/event-cancellations.js";

/** The idempotency key of an order's refund for its event's cancellation: one such refund per order. */
export const eventCancelledRefundKey = "event-cancelled";

/** Refunds carried out at once, each a call to the payment service and one to inventory. */
const carryOutConcurrency = 8;

export interface CancellationWorkerOptions {
  readonly intervalMs: number;
  /** Orders refunded per transaction. */
  readonly batchSize: number;
  /** Batches per event and round, so a round ends (and a shutdown's wait with it) in bounded time. */
  readonly batchesPerRound: number;
}

/**
 * Works off cancelled events: every confirmed order refunded in full (reason EVENT_CANCELLED), every
 * order still in checkout handed to compensation, then the cancellation marked done. Every replica runs
 * one; `for update skip locked` gives each replica's batch orders no other batch holds, and every step
 * is conditional on the order's state, so replicas running at once, or a process killed between batches,
 * neither refund an order twice nor skip one.
 */
export function startCancellationWorker(ordering: Ordering, options: CancellationWorkerOptions): BackgroundTask {
  return startPeriodic(options.intervalMs, async () => {
    try {
      for (const eventId of await refundingEventIds(ordering.orm.em.fork(), 10)) {
        await workOffCancellation(ordering, eventId, options);
      }
    } catch (error) {
      ordering.log.warn({ err: error }, "working off cancelled events failed; trying again at the next round");
    }
  });
}

/** What one round did for one event. */
export interface WorkedOff {
  readonly refunded: number;
  readonly cancelled: number;
  readonly isDone: boolean;
}

/** Up to `batchesPerRound` batches of refunds for one cancelled event, then its checkouts, then done. */
export async function workOffCancellation(
  ordering: Ordering,
  eventId: string,
  options: Pick<CancellationWorkerOptions, "batchSize" | "batchesPerRound">,
): Promise<WorkedOff> {
  let refunded = 0;
  for (let batch = 0; batch < options.batchesPerRound; batch++) {
    const refundIds = await refundBatch(ordering, eventId, options.batchSize);
    refunded += refundIds.length;
    await carryOutAll(ordering, refundIds);
    if (refundIds.length < options.batchSize) break;
  }
  const em = ordering.orm.em.fork();
  const handedOver = await handPendingToCompensation(em, eventId, failureMessages.EVENT_UNAVAILABLE);
  if (handedOver.length > 0) await countWorkedOff(em, eventId, { refunded: 0, cancelled: handedOver.length });
  // The resumer would take them up within its interval; starting them here saves that wait.
  await Promise.all(handedOver.map((orderId) => ordering.saga.advance(orderId)));
  const isDone = await finishCancellationIfSettled(em, eventId);
  if (refunded > 0 || handedOver.length > 0) {
    ordering.log.info({ eventId, refunded, cancelled: handedOver.length, isDone }, "cancelled event worked on");
  }
  return { refunded, cancelled: handedOver.length, isDone };
}

/**
 * One transaction: up to `limit` of the event's orders holding tickets, each refunded in full (recorded:
 * tickets voided, the order REFUNDED, OrderRefunded in the outbox). The refund's key keeps it one per
 * order even if the same order came round again. Returns the refunds to carry out.
 */
async function refundBatch(ordering: Ordering, eventId: string, limit: number): Promise<string[]> {
  return await ordering.orm.em.fork().transactional(async (em) => {
    const orderIds = await lockRefundableOrderIds(em, eventId, limit);
    if (orderIds.length === 0) return [];
    const orders = await em.find(OrderEntity, { id: { $in: orderIds } });
    const tickets = await em.find(TicketEntity, { orderId: { $in: orderIds }, state: { $in: ["ISSUED", "USED"] } });
    const refundIds: string[] = [];
    for (const order of orders) {
      const refundId = randomUUID();
      const recorded = await recordRefund(em, {
        order,
        tickets: tickets.filter((ticket) => ticket.orderId === order.id),
        refundId,
        ticketState: "REFUNDED",
        reason: "EVENT_CANCELLED",
        note: "",
        requesterId: "",
        idempotencyKey: eventCancelledRefundKey,
        fingerprint: "",
      });
      // The order is locked, so its tickets cannot change under this batch; if they did, undo it all.
      if (!recorded) throw new Error(`the tickets of order ${order.id} changed during its cancellation refund`);
      refundIds.push(refundId);
    }
    await countWorkedOff(em, eventId, { refunded: refundIds.length, cancelled: 0 });
    return refundIds;
  });
}

/** Carries out refunds a few at a time; a failure is left to the refund follower (see `carryOut`). */
async function carryOutAll(ordering: Ordering, refundIds: readonly string[]): Promise<void> {
  const queue = [...refundIds];
  const lane = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await carryOut(ordering, next);
  };
  await Promise.all(Array.from({ length: Math.min(carryOutConcurrency, queue.length) }, lane));
}
