import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Code, createClient as createMeshClient, mintDevToken } from "@marquee/mesh";
import { codeOf, waitFor } from "@marquee/mesh/testing";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { InventoryService, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderFailureReason, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { TicketValidity } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { fixedPorts } from "@marquee/scripts/ports";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { postJson } from "./support/connect-json.js";
import { bearer, publishedConcert, tokenizeCard } from "./support/fixtures.js";
import { reconcileBooks } from "./support/reconcile.js";

/**
 * A buyer's whole checkout through the BFF on the stack `npm start` runs: hold seats, tokenize the card at
 * the gateway simulator from the web app's origin, quote, pay, get tickets with QR payloads, and be
 * admitted once at the door; a declined card keeps the seats for another try. Then the books: ordering's
 * orders against the payment service's payments (`npm run reconcile -w @marquee/ordering`).
 */
describe("checkout through the BFF on the launcher's stack (issue #21)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-checkout-${process.pid}`);
  // Offsets ending in 75 are used by no other stack of the suites (see canonical-ids.test.ts); the
  // highest service port, 50056 + 15_475, stays below 65536.
  const portOffset = 14_075 + (process.pid % 15) * 100;

  let stack: Stack;
  let http2: Http2SessionManager;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  /** OrderingService over Connect JSON, as the web app calls it. */
  let ordering: Client<typeof OrderingService>;
  /** OrderingService over gRPC, as a partner's generated client or a door scanner calls it. */
  let orderingGrpc: Client<typeof OrderingService>;
  let identity: Client<typeof IdentityService>;
  let organizer: string;

  async function newUser(roles: string[]): Promise<string> {
    const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
    return mintDevToken(signingKey, { sub: randomUUID(), roles });
  }

  const tokenize = (number: string) => tokenizeCard(stack.paymentGatewayUrl, stack.bffUrl ?? "", number);
  const newConcert = () => publishedConcert(catalog, organizer, `Checkout night ${randomUUID().slice(0, 8)}`);

  async function seatState(eventId: string, seatId: string) {
    const { seats } = await inventory.getAvailability({ eventId, includeSeats: true });
    return seats.find((seat) => seat.seatId === seatId)?.state;
  }

  before(async () => {
    stack = await startStack({ dataDir, portOffset, logLevel: "warn" });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    const connect = createConnectTransport({ baseUrl: stack.bffUrl, httpVersion: "1.1" });
    http2 = new Http2SessionManager(stack.bffUrl);
    catalog = createClient(CatalogService, connect);
    inventory = createClient(InventoryService, connect);
    ordering = createClient(OrderingService, connect);
    orderingGrpc = createClient(OrderingService, createGrpcTransport({ baseUrl: stack.bffUrl, sessionManager: http2 }));
    identity = createClient(IdentityService, connect);
    organizer = await newUser(["customer", "organizer"]);
  });

  after(async () => {
    http2?.abort();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("sells two seats for what the quote said, issues their tickets and admits each once at the door", async () => {
    const eventId = await newConcert();
    const buyer = await newUser(["customer"]);
    const { hold } = await inventory.holdSeats({ eventId, seatIds: ["stalls:A-1", "stalls:A-2"] }, bearer(buyer));
    const quote = await ordering.quoteOrder({ holdId: hold?.id ?? "" }, bearer(buyer));
    // 2 × 1,500 taka, and 2.5 % per ticket.
    expect(quote.total).to.deep.include({ currencyCode: "BDT", amountMinor: 307_500n });

    const { order } = await ordering.createOrder(
      {
        holdId: hold?.id ?? "",
        idempotencyKey: randomUUID(),
        paymentMethodToken: await tokenize("4242424242424242"),
        buyer: { name: "Nusrat Jahan", email: "nusrat@example.test", phone: "+8801712345678" },
        attendees: [{ seatId: "stalls:A-2", name: "Rafi Ahmed" }],
        expectedTotal: quote.total,
      },
      bearer(buyer),
    );
    expect(order?.state).to.equal(OrderState.CONFIRMED);
    expect(order?.lineItems.map((line) => line.attendeeName)).to.deep.equal(["", "Rafi Ahmed"]);
    expect(await seatState(eventId, "stalls:A-1")).to.equal(SeatState.SOLD);

    const history = await ordering.listMyOrders({}, bearer(buyer));
    expect(history.orders.map((listed) => listed.id)).to.deep.equal([order?.id]);
    const [ticket] = history.orders[0]?.tickets ?? [];
    expect(ticket?.qrPayload).to.match(/^mq1\./);

    const scan = { qrPayload: ticket?.qrPayload ?? "", eventId, checkIn: true, scanId: randomUUID() };
    const admitted = await orderingGrpc.verifyTicket(scan, bearer(organizer));
    expect(admitted.validity).to.equal(TicketValidity.VALID);
    expect(admitted.checkedIn).to.equal(true);
    // The scanner lost the answer and retries with its scan id: the same answer, not ALREADY_USED.
    expect((await orderingGrpc.verifyTicket(scan, bearer(organizer))).validity).to.equal(TicketValidity.VALID);
    const again = await orderingGrpc.verifyTicket({ ...scan, scanId: randomUUID() }, bearer(organizer));
    expect(again.validity).to.equal(TicketValidity.ALREADY_USED);
    const forged = await orderingGrpc.verifyTicket(
      { ...scan, qrPayload: `${scan.qrPayload.slice(0, -4)}AAAA`, scanId: "" },
      bearer(organizer),
    );
    expect(forged.validity).to.equal(TicketValidity.INVALID_SIGNATURE);
    expect(forged.ticket).to.equal(undefined);
  });

  it("answers a declined card with the reason and keeps the seats for another card", async () => {
    const eventId = await newConcert();
    const buyer = await newUser(["customer"]);
    const { hold } = await inventory.holdSeats({ eventId, seatIds: ["stalls:B-5"] }, bearer(buyer));
    const attempt = async (card: string) =>
      (
        await ordering.createOrder(
          {
            holdId: hold?.id ?? "",
            idempotencyKey: randomUUID(),
            paymentMethodToken: await tokenize(card),
            buyer: { name: "Tanvir", email: "tanvir@example.test" },
          },
          bearer(buyer),
        )
      ).order;
    const declined = await attempt("4000000000000002");
    expect(declined?.state).to.equal(OrderState.FAILED);
    expect(declined?.failureReason).to.equal(OrderFailureReason.PAYMENT_DECLINED);
    expect(declined?.failureMessage).to.match(/declined/);
    expect(await seatState(eventId, "stalls:B-5")).to.equal(SeatState.HELD);
    expect((await attempt("5555555555554444"))?.state).to.equal(OrderState.CONFIRMED);
  });

  it("sells to a buyer who registered, verified the mailed link and signed in: identity's own token works end to end", async () => {
    const email = `shirin-${randomUUID().slice(0, 8)}@example.test`;
    const password = "a ticket for the seaside";
    await identity.register({ email, password, displayName: "Shirin" });
    // The launcher's SMTP sink received the verification mail identity sent.
    const link = await waitForLink(email);
    const token = new URLSearchParams(new URL(link).hash.slice(1)).get("token") ?? "";
    expect((await identity.verifyEmail({ token })).user?.emailVerified).to.equal(true);
    const { tokens, user } = await identity.login({ email, password });
    const buyer = tokens?.accessToken ?? "";
    // Signed with identity's key (its kid, not the development key's), which every process takes from the JWKS file.
    const kid = JSON.parse(Buffer.from(buyer.split(".")[0] ?? "", "base64url").toString()).kid;
    const devKid = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8")).kid;
    expect(kid).to.be.a("string").and.not.equal(devKid);
    expect((await identity.getMe({}, bearer(buyer))).user?.id).to.equal(user?.id);

    const eventId = await newConcert();
    const { hold } = await inventory.holdSeats({ eventId, seatIds: ["stalls:B-1"] }, bearer(buyer));
    const { order } = await ordering.createOrder(
      {
        holdId: hold?.id ?? "",
        idempotencyKey: randomUUID(),
        paymentMethodToken: await tokenize("4242424242424242"),
        buyer: { name: "Shirin", email },
      },
      bearer(buyer),
    );
    expect(order?.state).to.equal(OrderState.CONFIRMED);
    expect(order?.userId).to.equal(user?.id);
  });

  /** The first link of the first mail to `email` the stack's sink received, waiting up to 10 s. */
  async function waitForLink(email: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const mail = stack.mail.mails.find((received) => received.to.includes(email));
      if (mail?.links[0] !== undefined) return mail.links[0];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no mail to ${email} reached the sink within 10 s`);
  }

  it("shuts a disabled user's live token out within seconds, at the BFF and at a service's own port, and lets it back once enabled (issue #22)", async () => {
    const email = `dina-${randomUUID().slice(0, 8)}@example.test`;
    const { user, tokens } = await identity.register({
      email,
      password: "a ticket for the seaside",
      displayName: "Dina",
    });
    const token = tokens?.accessToken ?? "";
    const userId = user?.id ?? "";
    const addressOf = (name: string) => stack.services.find((service) => service.name === name)?.address ?? "";
    // Straight to the processes `serve` runs, past the BFF: each polls identity itself.
    const orderingDirect = createMeshClient(OrderingService, { address: addressOf("ordering"), timeoutMs: 10_000 });
    const catalogInternal = createMeshClient(CatalogInternalService, { address: addressOf("catalog") });
    try {
      // Every process but identity polls the list: each shows a fresh one on its /metrics.
      const metricsPorts = [
        ...stack.services.filter((service) => service.name !== "identity").map((service) => service.metricsPort),
        fixedPorts.bffMetrics + portOffset,
      ];
      for (const port of metricsPorts) {
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const age = Number(metrics.match(/^marquee_revoked_subjects_age_seconds (\S+)$/m)?.[1]);
        expect(age, `the revoked-subjects list's age on :${port}`).to.be.below(10);
      }
      expect((await ordering.listMyOrders({}, bearer(token))).orders).to.deep.equal([]);
      expect((await orderingDirect.listMyOrders({}, { token })).orders).to.deep.equal([]);

      // The demo admin is a real admin now: its identity token disables the account through the BFF.
      await identity.disableUser({ userId, reason: "e2e: shut out" }, bearer(stack.tokens.admin));
      const disabledAt = Date.now();
      // Each process polls on its own clock, so each is waited for: through the BFF to ordering and to
      // inventory, and at ordering's own port.
      const refused = (what: string, call: () => Promise<unknown>) =>
        waitFor(what, async () => (await codeOf(call())) === Code.Unauthenticated, {
          timeoutMs: 10_000,
          intervalMs: 100,
        });
      await refused("ListMyOrders through the BFF refused", () => ordering.listMyOrders({}, bearer(token)));
      await refused("HoldSeats through the BFF refused", () =>
        inventory.holdSeats({ eventId: randomUUID(), seatIds: ["stalls:A-1"] }, bearer(token)),
      );
      await refused("ListMyOrders at ordering's own port refused", () => orderingDirect.listMyOrders({}, { token }));
      // The launcher's poll interval is 2 s: a poll or two, not the token's hour.
      expect(Date.now() - disabledAt, "refused everywhere within seconds").to.be.below(6000);

      // Nobody else is affected: another user, and a service's own token.
      expect((await ordering.listMyOrders({}, bearer(stack.tokens.customer))).orders).to.be.an("array");
      const eventId = await newConcert();
      const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
      const serviceToken = await mintDevToken(signingKey, { sub: "svc:ordering" });
      expect((await catalogInternal.getHoldPolicy({ eventId }, { token: serviceToken })).eventId).to.equal(eventId);

      await identity.enableUser({ userId }, bearer(stack.tokens.admin));
      const accepted = (call: Promise<unknown>) =>
        call.then(
          () => true,
          () => false,
        );
      await waitFor("the BFF accepting the token again", () => accepted(ordering.listMyOrders({}, bearer(token))), {
        timeoutMs: 10_000,
        intervalMs: 100,
      });
      await waitFor("ordering accepting it again", () => accepted(orderingDirect.listMyOrders({}, { token })), {
        timeoutMs: 10_000,
        intervalMs: 100,
      });
    } finally {
      orderingDirect.close();
      catalogInternal.close();
    }
  });

  it("refuses, over Connect JSON, an order without a card token or buyer, naming each field", async () => {
    const buyer = await newUser(["customer"]);
    const answer = await postJson(
      stack.bffUrl ?? "",
      "marquee.ordering.v1.OrderingService/CreateOrder",
      { holdId: "x", idempotencyKey: randomUUID() },
      { authorization: `Bearer ${buyer}` },
    );
    expect(answer.status).to.equal(400);
    expect(JSON.stringify(answer.json)).to.include("payment_method_token").and.include("buyer");
  });

  it("leaves books that reconcile: every order's payment took exactly what the order says (npm run reconcile)", () => {
    const output = reconcileBooks(stack);
    // Four orders settled above: the confirmed pair, the declined attempt, the card that then paid, and
    // the registered buyer's.
    expect(output).to.match(/^4 settled orders checked, 0 pending skipped, 0 discrepancies$/m);
  });
});
