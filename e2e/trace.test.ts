import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { waitFor } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { fixedPorts } from "@marquee/scripts/ports";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { bearer, publishedConcert, tokenizeCard } from "./support/fixtures.js";
import { sampleValue, scrape } from "./support/metrics.js";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./support/otlp-receiver.js";
import { newTraceparent } from "./support/trace-file.js";

/**
 * One checkout is one trace (issue #25): the browser's CreateOrder through the BFF, ordering, its calls to
 * catalog, inventory and payment, payment's HTTP call to the PSP (the gateway simulator), PostgreSQL and
 * Redis underneath, and across the event stream to the notification service that mails the tickets —
 * exported over OTLP by every process to a receiver in this test, as to a collector or Jaeger.
 */
describe("one trace per checkout across every process and the event stream, and the metrics it leaves (issue #25)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-trace-${process.pid}`);
  // Offsets ending in 85 are used by no other suite's stack (see canonical-ids.test.ts); in one mocha
  // process this one is 400 above web.test.ts's.
  const portOffset = 13_485 + (process.pid % 15) * 100;

  let receiver: OtlpReceiver;
  let stack: Stack;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  let ordering: Client<typeof OrderingService>;

  before(async () => {
    receiver = await startOtlpReceiver();
    stack = await startStack({
      dataDir,
      portOffset,
      logLevel: "warn",
      isRateLimited: false,
      environment: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        // Batches leave each process within a fifth of a second, so the test waits little.
        OTEL_BSP_SCHEDULE_DELAY: "200",
      },
    });
    const connect = createConnectTransport({ baseUrl: stack.bffUrl ?? "", httpVersion: "1.1" });
    catalog = createClient(CatalogService, connect);
    inventory = createClient(InventoryService, connect);
    ordering = createClient(OrderingService, connect);
  });

  after(async () => {
    await stack?.stop();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("one checkout is one tree of spans: BFF, ordering, catalog, inventory, payment, the PSP, PostgreSQL, Redis, the stream, notification", async () => {
    const eventId = await publishedConcert(catalog, stack.tokens.organizer, `Traced night ${randomUUID().slice(0, 6)}`);
    const buyer = bearer(stack.tokens.customer);
    const { hold } = await inventory.holdSeats({ eventId, seatIds: ["stalls:A-1", "stalls:A-2"] }, buyer);
    const card = "4242424242424242";
    const token = await tokenizeCard(stack.paymentGatewayUrl, stack.bffUrl ?? "", card);
    const quote = await ordering.quoteOrder({ holdId: hold?.id ?? "" }, buyer);
    const person = { name: "Nusrat Jahan", email: "nusrat.traced@example.test", phone: "+8801712345678" };
    // The browser's request: what the web app sends when the buyer presses Pay.
    const browser = newTraceparent();
    const { order } = await ordering.createOrder(
      {
        holdId: hold?.id ?? "",
        idempotencyKey: randomUUID(),
        paymentMethodToken: token,
        buyer: person,
        attendees: [{ seatId: "stalls:A-2", name: "Rafi Ahmed" }],
        expectedTotal: quote.total,
      },
      { ...buyer, headers: { ...buyer.headers, traceparent: browser.header } },
    );
    expect(order?.state).to.equal(OrderState.CONFIRMED);
    const orderId = order?.id ?? "";

    const inTrace = () => receiver.spans.filter((span) => span.traceId === browser.traceId);
    const has = (service: string, test: (span: ReceivedSpan) => boolean) =>
      inTrace().some((span) => span.service === service && test(span));
    const spans = await waitFor(
      "the checkout's spans from every process, the notification service's among them",
      () =>
        has("notification", (span) => span.kind === consumer) &&
        has("payment-gateway", (span) => span.kind === server) &&
        has("catalog", (span) => span.kind === server) &&
        inTrace(),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // Late exporters (each process's batch) are in within a moment; then the trace is whole.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const trace = inTrace();
    expect(trace.length).to.be.greaterThan(spans.length - 1);
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const describe = (span: ReceivedSpan) => `${span.service} ${span.name}`;

    // One tree: a single root, the BFF's span of the browser's call, and every other span's parent in it.
    const roots = trace.filter((span) => !byId.has(span.parentSpanId));
    expect(roots.map(describe)).to.deep.equal(["bff marquee.ordering.v1.OrderingService/CreateOrder"]);
    expect(roots[0]?.parentSpanId, "the BFF continues the browser's trace").to.equal(browser.spanId);
    expect(new Set(trace.map((span) => span.service))).to.include.all.keys(
      "bff",
      "ordering",
      "catalog",
      "inventory",
      "payment",
      "payment-gateway",
      "notification",
    );

    // Each hop as OpenTelemetry's conventions name it, a child of the hop before.
    const parentOf = (span: ReceivedSpan | undefined) => byId.get(span?.parentSpanId ?? "");
    const rpcServer = (service: string, method: string) =>
      trace.find((span) => span.service === service && span.kind === server && span.name.endsWith(`/${method}`));
    const createOrder = rpcServer("ordering", "CreateOrder");
    expect(createOrder?.attributes).to.include({
      "rpc.system": "grpc",
      "rpc.service": "marquee.ordering.v1.OrderingService",
      "rpc.method": "CreateOrder",
      "rpc.grpc.status_code": 0,
      "marquee.order.id": orderId,
      "marquee.event.id": eventId,
      "marquee.seat.count": 2,
    });
    expect(parentOf(createOrder)?.kind, "ordering's span is the child of the BFF's client call").to.equal(client);
    for (const [service, method] of [
      ["inventory", "CommitHold"],
      ["payment", "Authorize"],
      ["catalog", "QuotePrice"],
    ] as const) {
      const span = rpcServer(service, method);
      expect(span, `${service}'s ${method}`).not.to.equal(undefined);
      expect(parentOf(span)?.service, `${service}'s ${method} called by ordering`).to.equal("ordering");
      expect(parentOf(span)?.attributes).to.include({ "rpc.method": method, "server.address": "127.0.0.1" });
    }
    const pspCall = trace.find(
      (span) => span.service === "payment" && span.kind === client && "http.request.method" in span.attributes,
    );
    const pspServer = trace.find((span) => span.service === "payment-gateway" && span.kind === server);
    expect(pspServer?.name).to.match(/^POST \/v1\/payment_intents/);
    expect(pspServer?.name, "named by the route, not an id").not.to.match(/pi_/);
    expect(parentOf(pspServer)?.spanId, "the PSP's span is the child of payment's HTTP call").to.equal(pspCall?.spanId);
    expect(trace.some((span) => span.attributes["db.system.name"] === "postgresql")).to.equal(true);
    expect(trace.some((span) => span.attributes["db.system.name"] === "redis")).to.equal(true);

    // Across the stream: ordering creates OrderConfirmed (PRODUCER), notification processes it (CONSUMER).
    const processed = trace.find((span) => span.service === "notification" && span.kind === consumer);
    expect(processed?.name).to.equal("process marquee.events.ordering");
    expect(processed?.attributes).to.include({
      "messaging.system": "redis",
      "marquee.event.type": "marquee.events.v1.OrderConfirmed",
    });
    const created = parentOf(processed);
    expect(created?.kind).to.equal(producer);
    expect(created?.service).to.equal("ordering");
    expect(created?.attributes["messaging.message.id"]).to.equal(processed?.attributes["messaging.message.id"]);

    // Nothing personal or secret in any span: not the buyer's name, e-mail or phone, not the card or its token.
    const everything = JSON.stringify(trace);
    for (const secret of [person.name, person.email, person.phone, "Rafi Ahmed", card, token]) {
      expect(everything, "a span mentions what it must not").not.to.include(secret);
    }
  });

  it("shows, after that checkout, RED metrics, breakers, the outbox, consumer lag, holds, sales, pools and Redis on each /metrics", async () => {
    const of = async (name: string) =>
      scrape(stack.services.find((service) => service.name === name)?.metricsPort ?? 0);
    const ordering = await of("ordering");
    const inventory = await of("inventory");
    const notification = await of("notification");
    const payment = await of("payment");
    const bff = await scrape(fixedPorts.bffMetrics + portOffset);
    const createOrder = { service: "marquee.ordering.v1.OrderingService", method: "CreateOrder", code: "OK" };
    expect(sampleValue(bff, "marquee_rpc_server_requests_total", createOrder), "the BFF's RED").to.be.at.least(1);
    expect(sampleValue(ordering, "marquee_rpc_server_requests_total", createOrder), "ordering's RED").to.be.at.least(1);
    expect(
      sampleValue(ordering, "marquee_rpc_server_duration_seconds_count", { method: "CreateOrder" }),
    ).to.be.at.least(1);
    // Per upstream: ordering's calls to payment, and their breaker, closed.
    const toPayment = { upstream: "payment" };
    expect(sampleValue(ordering, "marquee_rpc_client_requests_total", { ...toPayment, code: "OK" })).to.be.at.least(2);
    expect(sampleValue(ordering, "marquee_rpc_client_duration_seconds_count", toPayment)).to.be.at.least(2);
    expect(sampleValue(ordering, "marquee_circuit_breaker_state", toPayment)).to.equal(0);
    // The event bus: ordering's outbox drained, its OrderConfirmed published and handled by notification.
    expect(sampleValue(ordering, "marquee_outbox_events", { source: "ordering" })).to.equal(0);
    expect(sampleValue(ordering, "marquee_outbox_lag_seconds", { source: "ordering" })).to.equal(0);
    expect(
      sampleValue(ordering, "marquee_events_published_total", { stream: "marquee.events.ordering" }),
    ).to.be.at.least(1);
    const notified = { stream: "marquee.events.ordering", group: "notification" };
    expect(
      sampleValue(notification, "marquee_events_consumed_total", { ...notified, outcome: "handled" }),
    ).to.be.at.least(1);
    expect(sampleValue(notification, "marquee_event_age_seconds_count", notified)).to.be.at.least(1);
    expect(sampleValue(notification, "marquee_consumer_backlog_events", notified)).to.equal(0);
    // Holds, expiries and sales, and the oversell guard that never tripped.
    expect(sampleValue(inventory, "inventory_hold_outcomes_total", { outcome: "held" })).to.be.at.least(1);
    expect(sampleValue(inventory, "inventory_seats_sold_total")).to.be.at.least(2);
    expect(sampleValue(inventory, "inventory_holds_expired_total"), "exported before any expiry").to.equal(0);
    expect(sampleValue(inventory, "inventory_ledger_conflicts_total")).to.equal(0);
    // Pools and Redis, in every process that has them.
    for (const [name, samples, usesEventBus] of [
      ["ordering", ordering, true],
      ["inventory", inventory, true],
      ["notification", notification, true],
      ["payment", payment, false],
    ] as const) {
      const schema = name;
      expect(sampleValue(samples, "marquee_db_pool_connections", { schema, state: "total" }), name).to.be.at.least(1);
      expect(sampleValue(samples, "marquee_db_pool_connections", { schema, state: "waiting" }), name).to.equal(0);
      expect(sampleValue(samples, "marquee_redis_up", { client: "event-bus" }), name).to.equal(
        usesEventBus ? 1 : undefined,
      );
      expect(sampleValue(samples, "process_resident_memory_bytes"), name).to.be.greaterThan(0);
    }
    expect(sampleValue(inventory, "marquee_redis_up", { client: "seat-state" })).to.equal(1);
  });
});

/** OTLP's SpanKind values. */
const server = 2;
const client = 3;
const producer = 4;
const consumer = 5;
