import { randomUUID } from "node:crypto";
import type { BuyerQueue, SeatGroups } from "../holds/supply.js";
import { LatencyRecorder, type LatencySummary } from "../support/latency.js";
import type { Operation } from "../support/load.js";
import type { JsonAnswer, JsonClient } from "./json-client.js";

/** The steps of one checkout, in the order the web app takes them. */
export const stepNames = ["hold", "quote", "tokenize", "create"] as const;

export type Step = (typeof stepNames)[number];

/** A checkout that ended CONFIRMED: what the books and the seat map must then show. */
export interface ConfirmedOrder {
  readonly orderId: string;
  readonly eventId: string;
  readonly seatIds: readonly string[];
  readonly totalMinor: bigint;
}

/** A checkout that failed, and at which step. */
export class StepFailed extends Error {
  constructor(
    readonly step: Step,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

/**
 * Each step's latency and failures, counted only while the measured window is open (the load runner's
 * window callbacks open and close it). A step counts in the window it ends in.
 */
export class StepTimes {
  private readonly latencies = new Map<Step, LatencyRecorder>(stepNames.map((step) => [step, new LatencyRecorder()]));
  private readonly failures = new Map<Step, number>(stepNames.map((step) => [step, 0]));
  isOpen = false;

  record(step: Step, ms: number): void {
    if (this.isOpen) this.latencies.get(step)?.record(ms);
  }

  fail(step: Step): void {
    if (this.isOpen) this.failures.set(step, (this.failures.get(step) ?? 0) + 1);
  }

  summary(): Record<Step, LatencySummary & { failed: number }> {
    return Object.fromEntries(
      stepNames.map((step) => [
        step,
        { ...(this.latencies.get(step) as LatencyRecorder).summary(), failed: this.failures.get(step) ?? 0 },
      ]),
    ) as Record<Step, LatencySummary & { failed: number }>;
  }
}

/** What a checkout needs: the BFF and the gateway as the browser reaches them, seats, buyers. */
export interface CheckoutDeps {
  readonly bff: JsonClient;
  readonly gateway: JsonClient;
  readonly groups: SeatGroups;
  readonly buyers: BuyerQueue;
  readonly steps: StepTimes;
  /** Every confirmed checkout is added here, warm-up and stragglers included. */
  readonly confirmed: ConfirmedOrder[];
}

const rpc = {
  holdSeats: "/marquee.inventory.v1.InventoryService/HoldSeats",
  quoteOrder: "/marquee.ordering.v1.OrderingService/QuoteOrder",
  createOrder: "/marquee.ordering.v1.OrderingService/CreateOrder",
  getOrder: "/marquee.ordering.v1.OrderingService/GetOrder",
} as const;

/** The test card that pays (services/payment-gateway/README.md), expiring in December two years from now. */
const card = { number: "4242424242424242", exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: "123" };

/** How often and how long a PENDING order is polled with GetOrder. */
const pollEveryMs = 50;
const pollForMs = 30_000;

interface OrderJson {
  readonly id?: string;
  readonly state?: string;
  readonly failureReason?: string;
  readonly failureMessage?: string;
  readonly total?: { readonly amountMinor?: string };
}

/**
 * One checkout, as the web app makes it for a new buyer: HoldSeats, QuoteOrder, the card tokenized at the
 * gateway from the web app's origin, CreateOrder with the quoted total as `expected_total`, then GetOrder
 * until the order leaves PENDING. Anything but CONFIRMED fails the checkout.
 */
export function checkoutOperation(deps: CheckoutDeps): Operation<void> {
  const { bff, gateway, steps } = deps;
  const timed = async <T>(step: Step, work: () => Promise<T>): Promise<T> => {
    const startedAt = performance.now();
    try {
      const result = await work();
      steps.record(step, performance.now() - startedAt);
      return result;
    } catch (error) {
      steps.fail(step);
      throw error instanceof StepFailed ? error : new StepFailed(step, String(error));
    }
  };
  return {
    async run() {
      const { eventId, seatIds } = deps.groups.take();
      const { userId, token } = deps.buyers.take();
      const auth = { authorization: `Bearer ${token}` };

      const holdId = await timed("hold", async () => {
        const answer = await bff.post(rpc.holdSeats, JSON.stringify({ eventId, seatIds }), auth);
        const id = (ok("hold", answer) as { hold?: { id?: string } }).hold?.id;
        if (id === undefined) throw new StepFailed("hold", `no hold in ${answer.body.slice(0, 200)}`);
        return id;
      });
      const total = await timed("quote", async () => {
        const answer = await bff.post(rpc.quoteOrder, JSON.stringify({ holdId }), auth);
        const quoted = (ok("quote", answer) as { total?: unknown }).total;
        if (quoted === undefined) throw new StepFailed("quote", `no total in ${answer.body.slice(0, 200)}`);
        return quoted;
      });
      const cardToken = await timed("tokenize", async () => {
        const answer = await gateway.post("/v1/tokens", JSON.stringify({ card }));
        if (answer.status !== 200) throw new StepFailed("tokenize", `${answer.status} ${answer.body.slice(0, 200)}`);
        const id = (JSON.parse(answer.body) as { id?: string }).id;
        if (id === undefined) throw new StepFailed("tokenize", `no token in ${answer.body.slice(0, 200)}`);
        return id;
      });
      const order = await timed("create", async () => {
        const answer = await bff.post(
          rpc.createOrder,
          JSON.stringify({
            holdId,
            idempotencyKey: randomUUID(),
            paymentMethodToken: cardToken,
            buyer: { name: "Bench Buyer", email: `bench+${userId}@example.test` },
            expectedTotal: total,
          }),
          auth,
        );
        let current = (ok("create", answer) as { order?: OrderJson }).order;
        const deadline = Date.now() + pollForMs;
        while (current?.state === "ORDER_STATE_PENDING" && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, pollEveryMs));
          const polled = await bff.post(rpc.getOrder, JSON.stringify({ orderId: current.id }), auth);
          current = (ok("create", polled) as { order?: OrderJson }).order;
        }
        if (current?.state !== "ORDER_STATE_CONFIRMED") {
          throw new StepFailed(
            "create",
            `order ${current?.id} ended ${current?.state}: ${current?.failureReason} ${current?.failureMessage}`,
          );
        }
        return current;
      });
      deps.confirmed.push({
        orderId: order.id as string,
        eventId,
        seatIds,
        totalMinor: BigInt(order.total?.amountMinor ?? "0"),
      });
    },
  };
}

/** The baseline: the checkout's first step alone, HoldSeats through the BFF for a new buyer. */
export function holdOperation(bff: JsonClient, groups: SeatGroups, buyers: BuyerQueue): Operation<void> {
  return {
    async run() {
      const { eventId, seatIds } = groups.take();
      const { token } = buyers.take();
      const answer = await bff.post(rpc.holdSeats, JSON.stringify({ eventId, seatIds }), {
        authorization: `Bearer ${token}`,
      });
      ok("hold", answer);
    },
  };
}

/** The decoded body of a 200 answer; a Connect error (its code and message) otherwise. */
function ok(step: Step, answer: JsonAnswer): unknown {
  if (answer.status !== 200) throw new StepFailed(step, `BFF answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body);
}
