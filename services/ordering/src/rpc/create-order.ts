import { createHash, randomUUID } from "node:crypto";
import {
  badRequest,
  Checker,
  Code,
  ConnectError,
  callerIdOf,
  defineRpc,
  describeCall,
  failedPrecondition,
  idempotencyKeyReused,
  remainingMs,
} from "@marquee/mesh";
import type { Attendee, Order } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { type CreateOrderRequest, OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { discountCodeUnavailable, type PricedHold, priceHold } from "../checkout/price-hold.js";
import type { PricedLine } from "../domain/pricing.js";
import type { OrderEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { toOrderMessage, toStoredLine } from "../store/messages.js";
import { findOrderByKey, insertOrder, readOrderRecord } from "../store/orders.js";
import { checkBuyer, checkHoldId } from "./request-rules.js";

/**
 * OrderingService.CreateOrder. The order is priced here from catalog and stored PENDING with the card
 * token before any money moves, so the saga that follows (authorize → commit → capture → confirm) can be
 * resumed from the row by any process. The call waits for the saga a few seconds and answers the order as
 * it then stands. The same key and request answer the same order, even while its saga runs; the same key
 * with another request is refused.
 */
export const createOrder = defineRpc(OrderingService.method.createOrder, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
    check.idempotencyKey("idempotency_key", request.idempotencyKey);
    if (check.required("payment_method_token", request.paymentMethodToken)) {
      check.maxLength("payment_method_token", request.paymentMethodToken, 255);
    }
    checkBuyer(check, request.buyer);
    check.maxLength("discount_code", request.discountCode, 64);
    check.each("attendees", request.attendees, (attendee, path) => {
      if (check.required(`${path}.name`, attendee.name)) check.maxLength(`${path}.name`, attendee.name, 200);
      check.maxLength(`${path}.seat_id`, attendee.seatId, 200);
    });
    check.unique(
      "attendees",
      request.attendees.map((attendee) => attendee.seatId).filter((seatId) => seatId !== ""),
    );
    if (request.expectedTotal !== undefined) {
      check.matches(
        "expected_total.currency_code",
        request.expectedTotal.currencyCode,
        /^[A-Z]{3}$/,
        "must be an ISO 4217 code in upper case",
      );
    }
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const userId = callerIdOf(call);
      const fingerprint = fingerprintOf(request);
      const waitMs = Math.max(0, Math.min(ordering.checkoutWaitMs, remainingMs() - 500));

      const replay = async (order: OrderEntity): Promise<{ order: Order }> => {
        if (order.requestFingerprint !== fingerprint) throw idempotencyKeyReused();
        return { order: await settled(ordering, order.id, waitMs) };
      };

      const known = await findOrderByKey(ordering.orm, userId, request.idempotencyKey);
      if (known !== null) return await replay(known);

      const priced = await priceHold(ordering, request.holdId, userId, request.discountCode);
      const lines = namedLines(priced, request.attendees);
      checkExpectedTotal(request, priced);
      const now = new Date();
      const order: OrderEntity = {
        id: randomUUID(),
        userId,
        eventId: priced.hold.eventId,
        organizerId: priced.event.organizerId,
        holdId: priced.hold.id,
        ride: priced.hold.ride
          ? { boardingStopId: priced.hold.ride.boardingStopId, alightingStopId: priced.hold.ride.alightingStopId }
          : null,
        state: "PENDING",
        // A free order has nothing to authorize.
        sagaStep: priced.price.totalMinor === 0n ? "COMMIT" : "AUTHORIZE",
        lineItems: lines,
        currencyCode: priced.price.currencyCode,
        subtotalMinor: priced.price.subtotalMinor,
        feesMinor: priced.price.feesMinor,
        totalMinor: priced.price.totalMinor,
        discountCodeId: priced.discountCode?.id ?? null,
        discountCode: priced.discountCode?.code ?? "",
        discountMinor: priced.price.discountMinor,
        buyer: {
          name: request.buyer?.name.trim() ?? "",
          email: request.buyer?.email.trim() ?? "",
          phone: request.buyer?.phone ?? "",
        },
        paymentMethodToken: request.paymentMethodToken,
        paymentId: "",
        cardBrand: "",
        cardLast4: "",
        failureReason: "",
        failureMessage: "",
        declineCode: "",
        idempotencyKey: request.idempotencyKey,
        requestFingerprint: fingerprint,
        leaseOwner: null,
        leaseUntil: null,
        attempts: 0,
        lastErrorCode: "",
        expireTime: priced.expireTime,
        createTime: now,
        updateTime: now,
        confirmTime: null,
        cancelTime: null,
      };
      const refusal = await insertOrder(ordering.orm, order);
      if (refusal === "key-taken") {
        const raced = await findOrderByKey(ordering.orm, userId, request.idempotencyKey);
        if (raced !== null) return await replay(raced);
      }
      if (refusal === "code-used-up") throw discountCodeUnavailable(priced.discountCode?.code ?? "");
      if (refusal !== undefined) {
        throw failedPrecondition("the hold already has a pending or confirmed order", [
          {
            type: "HOLD_HAS_ORDER",
            subject: `hold:${request.holdId}`,
            description: "poll that order with GetOrder, or hold other seats",
          },
        ]);
      }
      call.log.info({ orderId: order.id, holdId: order.holdId, total: String(order.totalMinor) }, "order created");
      describeCall({
        "marquee.order.id": order.id,
        "marquee.event.id": order.eventId,
        "marquee.hold.id": order.holdId,
        "marquee.seat.count":
          priced.hold.seatIds.length + priced.hold.places.reduce((sum, place) => sum + place.quantity, 0),
      });
      return { order: await settled(ordering, order.id, waitMs) };
    };
  },
});

/** Runs the order's saga here and waits up to `waitMs` for it to settle; the order as it then stands. */
async function settled(ordering: Ordering, orderId: string, waitMs: number): Promise<Order> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = deadline - Date.now();
    await Promise.race([ordering.saga.advance(orderId), sleep(Math.max(0, left))]);
    const record = await readOrderRecord(ordering.orm, orderId);
    if (record === null) throw new Error(`order ${orderId} vanished`);
    const { order } = record;
    // Payments cannot be taken at all (the gateway is down, payment's breaker is open): say so now rather
    // than keep the buyer waiting on a PENDING order. The order stays resumable under the same key.
    if (order.state === "PENDING" && order.sagaStep === "AUTHORIZE" && order.lastErrorCode === Code[Code.Unavailable]) {
      throw new ConnectError(
        `payments are unavailable right now; order ${order.id} is kept: retry with the same idempotency key and request`,
        Code.Unavailable,
      );
    }
    // Another process may hold the saga's lease: poll the row until it settles or the wait is over.
    if (order.state !== "PENDING" || Date.now() >= deadline) return toOrderMessage(record, { withQrPayloads: true });
    await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
  }
}

/**
 * The hold's priced lines with the attendees' names: a name with a seat id goes to that seat, names
 * without one go to the hold's general-admission places in order. INVALID_ARGUMENT naming each attendee
 * that fits nowhere.
 */
function namedLines(priced: PricedHold, attendees: readonly Attendee[]) {
  const lines: (PricedLine & { attendeeName: string })[] = priced.price.lineItems.map((line) => ({
    ...line,
    attendeeName: "",
  }));
  const check = new Checker();
  check.that(
    "attendees",
    attendees.length <= lines.length,
    `names at most ${lines.length} people, one per ticket of the hold`,
  );
  const placesLeft = lines.filter((line) => line.seatId === "");
  check.each("attendees", attendees, (attendee, path) => {
    const line =
      attendee.seatId === "" ? placesLeft.shift() : lines.find((candidate) => candidate.seatId === attendee.seatId);
    const fits = check.that(
      `${path}.seat_id`,
      line !== undefined,
      attendee.seatId === "" ? "the hold has no general-admission place left to name" : "is not a seat of the hold",
    );
    if (fits && line !== undefined) line.attendeeName = attendee.name.trim();
  });
  if (check.violations.length > 0) throw badRequest(check.violations);
  return lines.map((line) => toStoredLine(line, line.attendeeName));
}

/** The guard of the total the buyer was shown: another currency is a bad request, another amount a change. */
function checkExpectedTotal(request: CreateOrderRequest, priced: PricedHold): void {
  const expected = request.expectedTotal;
  if (expected === undefined) return;
  if (expected.currencyCode !== priced.price.currencyCode) {
    throw badRequest([
      { field: "expected_total.currency_code", description: `the order is in ${priced.price.currencyCode}` },
    ]);
  }
  if (expected.amountMinor !== priced.price.totalMinor) {
    throw failedPrecondition("the price changed since the quote: nothing was charged", [
      {
        type: "PRICE_CHANGED",
        subject: "expected_total",
        description: `the total is now ${priced.price.totalMinor} minor units of ${priced.price.currencyCode}; quote again`,
      },
    ]);
  }
}

/** The request as the idempotency key remembers it: every field, in a fixed order. */
function fingerprintOf(request: CreateOrderRequest): string {
  const canonical = JSON.stringify([
    request.holdId,
    request.paymentMethodToken,
    [request.buyer?.name ?? "", request.buyer?.email ?? "", request.buyer?.phone ?? ""],
    request.attendees.map((attendee) => [attendee.seatId, attendee.name]),
    request.expectedTotal ? [request.expectedTotal.currencyCode, String(request.expectedTotal.amountMinor)] : null,
    request.discountCode,
  ]);
  return createHash("sha256").update(canonical).digest("base64url");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
