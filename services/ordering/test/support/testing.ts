import { randomUUID } from "node:crypto";
import { startInventory, type TestInventory } from "@marquee/inventory/testing";
import { Code, ConnectError, type MeshClient } from "@marquee/mesh";
import { customerToken, startService, type TestService, testId, useStarted, waitFor } from "@marquee/mesh/testing";
import { cards, startPayment, type TestPayment, tokenize } from "@marquee/payment/testing";
import type { PaymentGatewayOptions } from "@marquee/payment-gateway/server";
import { type Order, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { ordering } from "../../src/manifest.js";
import type { Ordering } from "../../src/ordering.js";

export { cards, tokenize };

/** How a test's ordering differs from the defaults. */
export interface OrderingTestOptions {
  /** Ordering's variables (`CHECKOUT_WAIT_MS: "0"`). */
  readonly settings?: Readonly<Record<string, string>>;
  /** The payment service's variables (`GATEWAY_TIMEOUT_MS: "200"`). */
  readonly paymentSettings?: Readonly<Record<string, string>>;
  /** The gateway simulator's options (latency, error rate). */
  readonly gateway?: PaymentGatewayOptions;
  /** Record what the payment service sends the gateway (`env.payment.proxy`). @default false */
  readonly recordGateway?: boolean;
  /** Run the saga resumer. @default false: tests call `saga.resumeDue()` themselves */
  readonly background?: boolean;
}

/** The whole checkout path, real: catalog, inventory, payment with its gateway simulator, and ordering. */
export interface TestOrdering {
  readonly inventory: TestInventory;
  readonly payment: TestPayment;
  readonly service: TestService<typeof ordering.settings, typeof ordering.upstreams, Ordering>;
  /** OrderingService; pass `{ token }` per call. */
  readonly client: MeshClient<typeof OrderingService>;
  close(): Promise<void>;
}

/** Starts catalog and inventory, payment and its simulator, then ordering over them. */
export async function startOrdering(options: OrderingTestOptions = {}): Promise<TestOrdering> {
  const inventory = await startInventory();
  const payment = await startPayment({
    ...(options.gateway ? { gateway: options.gateway } : {}),
    ...(options.paymentSettings ? { settings: options.paymentSettings } : {}),
    proxy: options.recordGateway ?? false,
  });
  try {
    const service = await startService(ordering, {
      upstreams: {
        catalog: inventory.catalog.server.address,
        inventory: inventory.server.address,
        payment: payment.service.address,
      },
      background: options.background ?? false,
      settings: { SAGA_LEASE_MS: "2000", SAGA_RESUME_INTERVAL_MS: "50", ...options.settings },
    });
    return {
      inventory,
      payment,
      service,
      client: await service.client(OrderingService),
      async close() {
        await service.close();
        await payment.close();
        await inventory.close();
      },
    };
  } catch (error) {
    await payment.close();
    await inventory.close();
    throw error;
  }
}

/** `startOrdering` around the tests of the calling `describe`. */
export function useOrdering(options: OrderingTestOptions = {}): TestOrdering {
  return useStarted("ordering", () => startOrdering(options));
}

/** A buyer: a user id, its token, and its contact details. */
export interface Buyer {
  readonly userId: string;
  readonly token: string;
  readonly contact: { readonly name: string; readonly email: string };
}

export async function buyer(name: string): Promise<Buyer> {
  const userId = testId(name);
  return { userId, token: await customerToken(userId), contact: { name, email: `${name}@example.test` } };
}

/** Holds seats of an event as the buyer; the hold's id. */
export async function hold(env: TestOrdering, who: Buyer, eventId: string, seatIds: readonly string[]) {
  const { hold } = await env.inventory.client.holdSeats({ eventId, seatIds: [...seatIds] }, { token: who.token });
  if (hold === undefined) throw new Error("HoldSeats answered no hold");
  return hold;
}

/** CreateOrder for a hold with a fresh token of `card` and a fresh key; the order as answered. */
export async function checkout(
  env: TestOrdering,
  who: Buyer,
  holdId: string,
  card: string = cards.success,
  extra: { readonly idempotencyKey?: string } = {},
): Promise<Order> {
  const { order } = await env.client.createOrder(
    {
      holdId,
      idempotencyKey: extra.idempotencyKey ?? randomUUID(),
      paymentMethodToken: await tokenize(env.payment.gateway.url, card),
      buyer: who.contact,
    },
    { token: who.token },
  );
  if (order === undefined) throw new Error("CreateOrder answered no order");
  return order;
}

/**
 * A checkout as a patient client makes it: UNAVAILABLE (payments down, a breaker still open after an
 * earlier test) is retried with the same key and request, as the proto asks, which can never charge
 * twice; a PENDING answer is read again until it settles.
 */
export async function checkoutSettled(env: TestOrdering, who: Buyer, holdId: string): Promise<Order> {
  const idempotencyKey = randomUUID();
  const order = await waitFor(
    "CreateOrder to answer something but UNAVAILABLE",
    () =>
      checkout(env, who, holdId, cards.success, { idempotencyKey }).catch((error: unknown) => {
        if (ConnectError.from(error).code === Code.Unavailable) return undefined;
        throw error;
      }),
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  return await settled(env, who, order);
}

/**
 * The order once it has left PENDING, read with GetOrder as the web app polls it: CreateOrder and
 * CancelOrder answer a PENDING order when its saga needs longer than they wait (a loaded machine, a
 * payment call being retried).
 */
export async function settled(env: TestOrdering, who: Buyer, order: Order): Promise<Order> {
  if (order.state !== OrderState.PENDING) return order;
  return await waitFor(
    `order ${order.id} to leave PENDING`,
    async () => {
      const { order: now } = await env.client.getOrder({ orderId: order.id }, { token: who.token });
      return now !== undefined && now.state !== OrderState.PENDING ? now : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}
