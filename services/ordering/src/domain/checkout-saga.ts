import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type Database,
  type Logger,
  type MeshClient,
  outsideCall,
  writeEvent,
} from "@marquee/mesh";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
} from "@marquee/proto/google/rpc/error_details_pb.js";
import { OrderConfirmedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import type { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type Payment, type PaymentService, PaymentState } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { type OrderEntity, RefundEntity, TicketEntity } from "../entities/index.js";
import { reopenCancellation } from "../store/event-cancellations.js";
import { advanceStep, claimLease, dueOrderIds, endUnconfirmed, releaseLease } from "../store/orders.js";
import type { TicketSigner } from "./ticket-signing.js";

/**
 * The checkout saga of DESIGN.md: authorize the payment → commit the hold → capture → confirm (tickets,
 * OrderConfirmed; a free order starts at the commit and takes no payment) — each failure compensated (void or refund the payment, give the seats back) into a
 * final state. Where it stands is the order row's `saga_step`, and every call it makes is idempotent
 * under a key derived from the order (`<order id>:authorize`, `:capture`, CommitHold by order id), so a
 * process killed at any point leaves a step that the next runner simply does again: it gets the first
 * answer, never a second charge or a second sale.
 *
 * One runner at a time holds an order's lease (`lease_owner`, `lease_until`); a step that meets an
 * unavailable upstream gives the lease back with a backoff, and the resumer (`resumeDue`, a background
 * task) takes up every order whose lease is free or lapsed, including those of a process that died.
 */

/** What the saga does next, as stored in `order.saga_step`. */
export type SagaStep = "AUTHORIZE" | "COMMIT" | "CAPTURE" | "COMPENSATE" | "DONE";

/** OrderFailureReason names without their prefix. */
export type FailureReason =
  | "PAYMENT_DECLINED"
  | "PAYMENT_FAILED"
  | "HOLD_EXPIRED"
  | "SEATS_UNAVAILABLE"
  | "EVENT_UNAVAILABLE"
  | "INTERNAL";

/** What the buyer is told for each reason (Order.failure_message). */
export const failureMessages: Readonly<Record<FailureReason, string>> = {
  PAYMENT_DECLINED: "Your card was declined. Try another card before your seats are released.",
  PAYMENT_FAILED: "The payment could not be processed. You have not been charged.",
  HOLD_EXPIRED: "Your seats were released before the payment completed. You have not been charged.",
  SEATS_UNAVAILABLE: "Your seats are no longer available. You have not been charged.",
  EVENT_UNAVAILABLE: "This event is no longer on sale. You have not been charged.",
  INTERNAL: "Something went wrong on our side. You have not been charged.",
};

/** Decline codes whose message says more than a plain decline. */
const declineMessages: Readonly<Record<string, string>> = {
  insufficient_funds: "Your card has insufficient funds. Try another card before your seats are released.",
  expired_card: "Your card has expired. Try another card before your seats are released.",
  invalid_token: "The card details could not be used. Enter them again before your seats are released.",
};

/** Codes after which the outcome of a call is unknown or the upstream may answer later: try again. */
const transientCodes = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Aborted, Code.ResourceExhausted]);

/** What a step decided. */
type Outcome =
  | { readonly kind: "continue" }
  | { readonly kind: "retry"; readonly error: ConnectError }
  | { readonly kind: "stop" };

export interface CheckoutSagaOptions {
  readonly leaseMs: number;
  readonly retryMaxDelayMs: number;
}

export interface CheckoutSagaDeps {
  readonly orm: Database;
  readonly log: Logger;
  readonly inventory: MeshClient<typeof InventoryInternalService>;
  readonly payment: MeshClient<typeof PaymentService>;
  readonly signer: TicketSigner;
}

export class CheckoutSaga {
  /** Runs of this process, by order id: a second `advance` of a running order joins the first. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: CheckoutSagaDeps,
    private readonly options: CheckoutSagaOptions,
  ) {}

  /**
   * Runs the order's saga as far as it goes now: to its end, or to a step that must wait (an upstream
   * down), or not at all when another runner holds the lease. Detached from the current call, so the
   * saga outlives the RPC that started it and its calls carry the service's token, not the buyer's.
   */
  advance(orderId: string): Promise<void> {
    const running = this.running.get(orderId);
    if (running !== undefined) return running;
    const run = outsideCall(() => this.drive(orderId)).finally(() => this.running.delete(orderId));
    this.running.set(orderId, run);
    return run;
  }

  /** Advances up to `limit` due orders (a free or lapsed lease); how many it took up. */
  async resumeDue(limit = 20): Promise<number> {
    const ids = (await dueOrderIds(this.deps.orm, limit)).filter((id) => !this.running.has(id));
    await Promise.all(ids.map((id) => this.advance(id)));
    return ids.length;
  }

  /** Waits for the runs of this process to end (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async drive(orderId: string): Promise<void> {
    const owner = randomUUID();
    const { orm, log } = this.deps;
    for (;;) {
      const order = await claimLease(orm, orderId, owner, this.options.leaseMs);
      if (order === null) return;
      let outcome: Outcome;
      try {
        outcome = await this.step(order);
      } catch (error) {
        // A bug or the database: leave the step as it is for the resumer, and say so.
        log.error({ err: error, orderId, step: order.sagaStep }, "checkout step failed; it will be retried");
        outcome = { kind: "retry", error: ConnectError.from(error) };
      }
      // A step that found its order moved on meanwhile (a buyer's CancelOrder hands it to compensation)
      // still continues: the next claim, under this runner's lease, reads the step the order is now at.
      if (outcome.kind === "stop") return;
      if (outcome.kind === "retry") {
        const delayMs = this.backoffMs(order.attempts);
        log.warn(
          { orderId, step: order.sagaStep, code: Code[outcome.error.code], retryInMs: delayMs },
          `checkout step waits: ${outcome.error.rawMessage}`,
        );
        await releaseLease(orm, orderId, owner, delayMs, Code[outcome.error.code]);
        return;
      }
    }
  }

  private backoffMs(attempts: number): number {
    const base = Math.min(200 * 2 ** Math.min(attempts, 16), this.options.retryMaxDelayMs);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private async step(order: OrderEntity): Promise<Outcome> {
    switch (order.sagaStep as SagaStep) {
      case "AUTHORIZE":
        return await this.authorize(order);
      case "COMMIT":
        return await this.commit(order);
      case "CAPTURE":
        return await this.capture(order);
      case "COMPENSATE":
        return await this.compensate(order);
      case "DONE":
        return { kind: "stop" };
    }
    throw new Error(`order ${order.id} is at an unknown saga step ${order.sagaStep}`);
  }

  /** Step 1: reserve the total on the buyer's card. A decline ends the order and keeps the hold. */
  private async authorize(order: OrderEntity): Promise<Outcome> {
    let payment: Payment | undefined;
    try {
      ({ payment } = await this.deps.payment.authorize(
        {
          orderId: order.id,
          amount: { currencyCode: order.currencyCode, amountMinor: order.totalMinor },
          paymentMethodToken: order.paymentMethodToken ?? "",
          idempotencyKey: `${order.id}:authorize`,
        },
        { timeoutMs: 30_000 },
      ));
    } catch (thrown) {
      const error = ConnectError.from(thrown);
      const info = errorInfoOf(error);
      if (info?.reason === "PAYMENT_DECLINED") {
        const declineCode = info.metadata.decline_code ?? "card_declined";
        return await this.finish(order, "AUTHORIZE", "FAILED", "PAYMENT_DECLINED", { declineCode });
      }
      if (badFieldsOf(error).includes("payment_method_token")) {
        // The gateway does not know the token (used, expired, made for another account): the buyer
        // tokenizes the card again, like after a decline, so the seats stay held for that.
        return await this.finish(order, "AUTHORIZE", "FAILED", "PAYMENT_DECLINED", { declineCode: "invalid_token" });
      }
      if (transientCodes.has(error.code)) {
        if (Date.now() < order.expireTime.getTime()) return { kind: "retry", error };
        return await this.startCompensation(order, "AUTHORIZE", "HOLD_EXPIRED");
      }
      if (info?.reason !== "PAYMENT_FAILED") this.unexpected(order, error);
      return await this.startCompensation(
        order,
        "AUTHORIZE",
        info?.reason === "PAYMENT_FAILED" ? "PAYMENT_FAILED" : "INTERNAL",
      );
    }
    await advanceStep(this.deps.orm.em.fork(), order.id, "AUTHORIZE", {
      sagaStep: "COMMIT",
      paymentId: payment?.id ?? "",
      cardBrand: payment?.cardBrand ?? "",
      cardLast4: payment?.cardLast4 ?? "",
      // Spent: a single-use token is of no use to anyone now, so it is not kept.
      paymentMethodToken: null,
    });
    return { kind: "continue" };
  }

  /** Step 2: the hold's seats become this order's. Inventory is the judge of whether the hold still lives. */
  private async commit(order: OrderEntity): Promise<Outcome> {
    try {
      await this.deps.inventory.commitHold({ holdId: order.holdId, orderId: order.id }, { timeoutMs: 15_000 });
    } catch (thrown) {
      const error = ConnectError.from(thrown);
      // No shortcut on expiry here: a commit whose answer was lost may have sold the seats, and only
      // inventory can say. The step is retried until it answers.
      if (transientCodes.has(error.code)) return { kind: "retry", error };
      return await this.startCompensation(order, "COMMIT", await this.whyNotCommitted(order, error));
    }
    await advanceStep(this.deps.orm.em.fork(), order.id, "COMMIT", { sagaStep: "CAPTURE" });
    return { kind: "continue" };
  }

  private async whyNotCommitted(order: OrderEntity, error: ConnectError): Promise<FailureReason> {
    const types = preconditionTypesOf(error);
    if (types.includes("EVENT_CANCELLED") || types.includes("SALES_CLOSED")) return "EVENT_UNAVAILABLE";
    if (error.code === Code.NotFound || types.includes("HOLD_COMMITTED") || types.includes("SEAT_SOLD")) {
      return "SEATS_UNAVAILABLE";
    }
    if (types.includes("HOLD_NOT_LIVE")) {
      const { hold } = await this.deps.inventory.readHold({ holdId: order.holdId }).catch(() => ({ hold: undefined }));
      return hold?.state === HoldState.RELEASED ? "SEATS_UNAVAILABLE" : "HOLD_EXPIRED";
    }
    this.unexpected(order, error);
    return "INTERNAL";
  }

  /** Step 3: take the money, then confirm: tickets, CONFIRMED and OrderConfirmed in one transaction. */
  private async capture(order: OrderEntity): Promise<Outcome> {
    if (order.totalMinor === 0n) {
      // Free (a 100 % discount): there was nothing to authorize and there is nothing to take.
      await this.confirm(order);
      return { kind: "stop" };
    }
    try {
      await this.deps.payment.capture(
        { paymentId: order.paymentId, idempotencyKey: `${order.id}:capture` },
        { timeoutMs: 30_000 },
      );
    } catch (thrown) {
      const error = ConnectError.from(thrown);
      if (transientCodes.has(error.code)) return { kind: "retry", error };
      // The authorization lapsed or was voided: the seats are sold but unpaid, so they go back.
      if (error.code !== Code.FailedPrecondition) this.unexpected(order, error);
      return await this.startCompensation(order, "CAPTURE", "PAYMENT_FAILED");
    }
    await this.confirm(order);
    return { kind: "stop" };
  }

  private async confirm(order: OrderEntity): Promise<void> {
    const now = new Date();
    await this.deps.orm.em.fork().transactional(async (em) => {
      if (!(await advanceStep(em, order.id, "CAPTURE", { sagaStep: "DONE", state: "CONFIRMED", confirmTime: now }))) {
        return;
      }
      await issueTickets(em, this.deps.signer, order, now);
      // A checkout that outlived its event's cancellation (seats committed before sales closed) is
      // confirmed, then refunded with the event's other orders: the worker takes its event up again.
      await reopenCancellation(em, order.eventId);
      await writeEvent(em, {
        source: "ordering",
        subject: order.id,
        schema: OrderConfirmedSchema,
        payload: create(OrderConfirmedSchema, {
          orderId: order.id,
          userId: order.userId,
          eventId: order.eventId,
          ticketCount: order.lineItems.length,
          total: { currencyCode: order.currencyCode, amountMinor: order.totalMinor },
          contactEmail: order.buyer.email,
        }),
      });
    });
    this.deps.log.info({ orderId: order.id, total: String(order.totalMinor) }, "order confirmed");
  }

  /** Records why the order fails and hands it to the compensation step. */
  private async startCompensation(order: OrderEntity, from: SagaStep, reason: FailureReason): Promise<Outcome> {
    await advanceStep(this.deps.orm.em.fork(), order.id, from, {
      sagaStep: "COMPENSATE",
      failureReason: reason,
      failureMessage: failureMessages[reason],
      paymentMethodToken: null,
    });
    return { kind: "continue" };
  }

  /**
   * Undoes what the saga did, whatever that was: the payment is voided (or, if it was captured, refunded)
   * and the seats given back (sold ones with ReleaseSold, a live hold abandoned); each of these is a no-op
   * when there is nothing to undo, so the step may run again after any crash.
   */
  private async compensate(order: OrderEntity): Promise<Outcome> {
    try {
      await this.undoPayment(order);
      await ignoring([Code.NotFound], this.deps.inventory.releaseSold({ eventId: order.eventId, orderId: order.id }));
      await ignoring(
        [Code.NotFound, Code.FailedPrecondition],
        this.deps.inventory.abandonHold({ holdId: order.holdId }),
      );
    } catch (thrown) {
      return { kind: "retry", error: ConnectError.from(thrown) };
    }
    // A buyer's CancelOrder of a pending order sets its cancel time and hands it here.
    const state = order.cancelTime ? "CANCELLED" : order.failureReason === "HOLD_EXPIRED" ? "EXPIRED" : "FAILED";
    await endUnconfirmed(this.deps.orm, order, "COMPENSATE", { state });
    this.deps.log.info({ orderId: order.id, state, reason: order.failureReason }, "checkout compensated");
    return { kind: "stop" };
  }

  private async undoPayment(order: OrderEntity): Promise<void> {
    let payment: Payment | undefined;
    try {
      ({ payment } = await this.deps.payment.getPayment({ orderId: order.id }));
    } catch (thrown) {
      if (ConnectError.from(thrown).code === Code.NotFound) return;
      throw thrown;
    }
    if (payment === undefined) return;
    switch (payment.state) {
      case PaymentState.PENDING:
      case PaymentState.AUTHORIZED:
        await this.deps.payment.void({ paymentId: payment.id });
        return;
      case PaymentState.CAPTURED:
      case PaymentState.PARTIALLY_REFUNDED:
        await this.refundCheckout(order, payment);
        return;
      default:
        return;
    }
  }

  /** A captured payment of a checkout that failed goes back in full, recorded as the order's refund. */
  private async refundCheckout(order: OrderEntity, payment: Payment): Promise<void> {
    const left = (payment.capturedAmount?.amountMinor ?? 0n) - (payment.refundedAmount?.amountMinor ?? 0n);
    if (left <= 0n) return;
    const { refund } = await this.deps.payment.refund({
      paymentId: payment.id,
      amount: { currencyCode: order.currencyCode, amountMinor: left },
      reason: "checkout failed after capture",
      idempotencyKey: `${order.id}:refund:checkout`,
    });
    const em = this.deps.orm.em.fork();
    if ((await em.count(RefundEntity, { orderId: order.id, idempotencyKey: "checkout" })) > 0) return;
    await em.insert(RefundEntity, {
      id: randomUUID(),
      orderId: order.id,
      ticketIds: [],
      currencyCode: order.currencyCode,
      amountMinor: left,
      reason: "CHECKOUT_FAILED",
      note: "",
      state: "PENDING",
      requesterId: "",
      paymentRefundId: refund?.id ?? "",
      seatsReleased: true,
      idempotencyKey: "checkout",
      requestFingerprint: "",
      createTime: new Date(),
      completeTime: null,
    });
  }

  private unexpected(order: OrderEntity, error: ConnectError): void {
    this.deps.log.error({ orderId: order.id, step: order.sagaStep, err: error }, "unexpected answer in checkout");
  }

  /** Ends an order at once, without compensation (a decline: nothing to undo, the hold stays). */
  private async finish(
    order: OrderEntity,
    from: SagaStep,
    state: "FAILED",
    reason: FailureReason,
    details: { readonly declineCode: string },
  ): Promise<Outcome> {
    await endUnconfirmed(this.deps.orm, order, from, {
      state,
      failureReason: reason,
      failureMessage: declineMessages[details.declineCode] ?? failureMessages[reason],
      declineCode: details.declineCode,
      paymentMethodToken: null,
    });
    this.deps.log.info({ orderId: order.id, reason, declineCode: details.declineCode }, "checkout ended");
    return { kind: "stop" };
  }
}

/** One ticket per line item, each with its signed QR payload. */
async function issueTickets(em: EntityManager, signer: TicketSigner, order: OrderEntity, now: Date): Promise<void> {
  const tickets = order.lineItems.map((line, index) => {
    const id = randomUUID();
    return {
      id,
      orderId: order.id,
      eventId: order.eventId,
      userId: order.userId,
      line: index,
      ride: order.ride ?? null,
      seatId: line.seatId,
      seatLabel: line.seatLabel,
      sectionId: line.sectionId,
      sectionName: line.sectionName,
      priceTierId: line.priceTierId,
      priceTierName: line.priceTierName,
      attendeeName: line.attendeeName,
      state: "ISSUED",
      qrPayload: signer.sign({
        t: id,
        e: order.eventId,
        s: line.seatId,
        ...(order.ride ? { b: order.ride.boardingStopId } : {}),
      }),
      issueTime: now,
      useTime: null,
      useScanId: null,
      voidTime: null,
    } satisfies TicketEntity;
  });
  await em.insertMany(TicketEntity, tickets);
}

function errorInfoOf(error: ConnectError) {
  return error.findDetails(ErrorInfoSchema)[0];
}

function badFieldsOf(error: ConnectError): string[] {
  return error.findDetails(BadRequestSchema).flatMap((bad) => bad.fieldViolations.map((v) => v.field));
}

function preconditionTypesOf(error: ConnectError): string[] {
  return error.findDetails(PreconditionFailureSchema).flatMap((failure) => failure.violations.map((v) => v.type));
}

/** Awaits a call, treating the given codes as success: "nothing to undo". */
async function ignoring(codes: readonly Code[], call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (thrown) {
    if (!codes.includes(ConnectError.from(thrown).code)) throw thrown;
  }
}
