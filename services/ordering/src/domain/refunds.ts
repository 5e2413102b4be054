import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, outsideCall, writeEvent } from "@marquee/mesh";
import { OrderRefundedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { RefundReason } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { PaymentRefundState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { OrderEntity, RefundEntity, TicketEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { amountsOf } from "../store/messages.js";

/**
 * Refunds, in two halves so that no crash or outage loses money or pays it twice. First, in one
 * transaction, the refund is recorded PENDING, its tickets voided, the order's state moved and
 * OrderRefunded written: from then on the refund exists whatever fails. Then `carryOut` asks the payment
 * service for the money (under the key `<order>:refund:<refund>`, so a retry returns the first refund),
 * follows it to SUCCEEDED or FAILED, and puts the seats back on sale; the refund follower runs
 * `carryOut` again for every refund left unfinished.
 */

/** What one ticket returns when refunded: its price and its fee. */
export function refundableMinor(order: OrderEntity, ticket: TicketEntity): bigint {
  const line = order.lineItems[ticket.line];
  if (line === undefined) throw new Error(`ticket ${ticket.id} has no line ${ticket.line} in order ${order.id}`);
  const { priceMinor, feeMinor } = amountsOf(line);
  return priceMinor + feeMinor;
}

export interface RefundToRecord {
  readonly order: OrderEntity;
  readonly tickets: readonly TicketEntity[];
  readonly refundId: string;
  /** The tickets' new state: REFUNDED, or CANCELLED for a buyer's cancellation. */
  readonly ticketState: "REFUNDED" | "CANCELLED";
  readonly reason: string;
  readonly note: string;
  readonly requesterId: string;
  readonly idempotencyKey: string;
  readonly fingerprint: string;
}

/**
 * The first half, inside `em`'s transaction: false when a ticket was voided meanwhile (a concurrent
 * refund won; the caller answers from the state it left).
 */
export async function recordRefund(em: EntityManager, refund: RefundToRecord): Promise<boolean> {
  const { order, tickets } = refund;
  const now = new Date();
  const voided = await em.nativeUpdate(
    TicketEntity,
    { id: { $in: tickets.map((ticket) => ticket.id) }, state: { $in: ["ISSUED", "USED"] } },
    { state: refund.ticketState, voidTime: now },
  );
  if (voided !== tickets.length) return false;
  const left = await em.count(TicketEntity, { orderId: order.id, state: { $in: ["ISSUED", "USED"] } });
  const amountMinor = tickets.reduce((sum, ticket) => sum + refundableMinor(order, ticket), 0n);
  await em.insert(RefundEntity, {
    id: refund.refundId,
    orderId: order.id,
    ticketIds: tickets.map((ticket) => ticket.id),
    currencyCode: order.currencyCode,
    amountMinor,
    reason: refund.reason,
    note: refund.note,
    // Nothing to send for a free order's tickets.
    state: amountMinor === 0n ? "SUCCEEDED" : "PENDING",
    requesterId: refund.requesterId,
    paymentRefundId: "",
    seatsReleased: false,
    idempotencyKey: refund.idempotencyKey,
    requestFingerprint: refund.fingerprint,
    createTime: now,
    completeTime: amountMinor === 0n ? now : null,
  });
  const state = refund.ticketState === "CANCELLED" ? "CANCELLED" : left === 0 ? "REFUNDED" : "PARTIALLY_REFUNDED";
  await em.nativeUpdate(
    OrderEntity,
    { id: order.id },
    { state, updateTime: now, ...(state === "CANCELLED" ? { cancelTime: now } : {}) },
  );
  await writeEvent(em, {
    source: "ordering",
    subject: order.id,
    schema: OrderRefundedSchema,
    payload: create(OrderRefundedSchema, {
      orderId: order.id,
      userId: order.userId,
      eventId: order.eventId,
      refundId: refund.refundId,
      amount: { currencyCode: order.currencyCode, amountMinor },
      ticketIds: tickets.map((ticket) => ticket.id),
      reason: RefundReason[refund.reason as keyof typeof RefundReason] ?? RefundReason.UNSPECIFIED,
    }),
  });
  return true;
}

/**
 * The second half, safe to repeat: the money asked for (once, by its key) and followed, the seats put
 * back on sale unless the event has started. Transient failures are left for the refund follower.
 */
export async function carryOut(ordering: Ordering, refundId: string): Promise<void> {
  await outsideCall(async () => {
    const em = ordering.orm.em.fork();
    const refund = await em.findOneOrFail(RefundEntity, { id: refundId });
    const order = await em.findOneOrFail(OrderEntity, { id: refund.orderId });
    try {
      if (refund.state === "PENDING") await settleMoney(ordering, em, refund, order);
      if (!refund.seatsReleased) await releaseSeats(ordering, em, refund, order);
    } catch (thrown) {
      const error = ConnectError.from(thrown);
      ordering.log.warn({ refundId, code: Code[error.code], err: error }, "refund step waits for a retry");
    }
  });
}

async function settleMoney(ordering: Ordering, em: EntityManager, refund: RefundEntity, order: OrderEntity) {
  if (refund.paymentRefundId === "") {
    const answer = await ordering.payment.refund({
      paymentId: order.paymentId,
      amount: { currencyCode: refund.currencyCode, amountMinor: refund.amountMinor },
      reason: refund.note || refund.reason.toLowerCase().replaceAll("_", " "),
      idempotencyKey: `${order.id}:refund:${refund.id}`,
    });
    refund.paymentRefundId = answer.refund?.id ?? "";
    await applyState(em, refund, answer.refund?.state);
    return;
  }
  const { payment } = await ordering.payment.getPayment({ paymentId: order.paymentId });
  await applyState(em, refund, payment?.refunds.find((made) => made.id === refund.paymentRefundId)?.state);
}

async function applyState(em: EntityManager, refund: RefundEntity, state: PaymentRefundState | undefined) {
  const settled =
    state === PaymentRefundState.SUCCEEDED ? "SUCCEEDED" : state === PaymentRefundState.FAILED ? "FAILED" : "PENDING";
  refund.state = settled;
  await em.nativeUpdate(
    RefundEntity,
    { id: refund.id },
    {
      paymentRefundId: refund.paymentRefundId,
      state: settled,
      completeTime: settled === "PENDING" ? null : new Date(),
    },
  );
}

async function releaseSeats(ordering: Ordering, em: EntityManager, refund: RefundEntity, order: OrderEntity) {
  const { event } = await ordering.catalog.getEvent({ eventId: order.eventId }, { timeoutMs: 5000 });
  const started = event?.startTime !== undefined && timestampDate(event.startTime).getTime() <= Date.now();
  if (!started) {
    const tickets = await em.find(TicketEntity, { id: { $in: refund.ticketIds } });
    const seatIds = tickets.map((ticket) => ticket.seatId).filter((seatId) => seatId !== "");
    const places = new Map<string, number>();
    for (const ticket of tickets) {
      if (ticket.seatId === "") places.set(ticket.sectionId, (places.get(ticket.sectionId) ?? 0) + 1);
    }
    // When no ticket of the order is left valid (a full refund, every cancelled event's), all its seats go
    // back: asked without a list, which inventory repeats harmlessly. Named GA places could not be asked
    // again after a crash between inventory's release and the mark below: the order no longer holds them.
    const isWholeOrder =
      (await em.count(TicketEntity, { orderId: order.id, state: { $in: ["ISSUED", "USED"] } })) === 0;
    try {
      await ordering.inventory.releaseSold({
        eventId: order.eventId,
        orderId: order.id,
        ...(isWholeOrder
          ? {}
          : { seatIds, places: [...places].map(([sectionId, quantity]) => ({ sectionId, quantity })) }),
      });
    } catch (thrown) {
      // The order's seats were already all released (an earlier run got through before crashing).
      if (ConnectError.from(thrown).code !== Code.NotFound) throw thrown;
    }
  }
  await em.nativeUpdate(RefundEntity, { id: refund.id }, { seatsReleased: true });
}

/** Refunds the follower should carry out: unsettled money, or seats not yet back on sale. */
export async function unfinishedRefundIds(ordering: Ordering, limit: number): Promise<string[]> {
  const rows = await ordering.orm.em
    .fork()
    .execute<{ id: string }[]>(
      `select "id" from "refund" where "state" = 'PENDING' or not "seats_released" order by "create_time" limit ?`,
      [limit],
    );
  return rows.map((row) => row.id);
}
