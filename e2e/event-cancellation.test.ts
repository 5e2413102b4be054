import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createClient as createMeshClient, type MeshClient, mintDevToken } from "@marquee/mesh";
import { waitFor } from "@marquee/mesh/testing";
import { defaultSecretKey as gatewaySecretKey } from "@marquee/payment-gateway/server";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventSchema, PriceTierSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type Order, OrderState, RefundReason, RefundState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { bdt, bearer, chattogramConcert } from "./support/fixtures.js";
import { reconcileBooks } from "./support/reconcile.js";
import { killAndRestart, type RestartedService } from "./support/service-restart.js";

/** Ticket holders of the cancelled event: issue #23's number. */
const holderCount = 500;
/** Buyers checking out at once; more only queue behind the two cores. */
const concurrentBuyers = 16;

/**
 * An organizer cancels an event with 500 ticket holders on the launcher's stack (issue #23 part 4): the
 * orders are made through the BFF as buyers make them, then the event is cancelled, and ordering and
 * notification are killed (SIGKILL) while refunding and mailing, and started again. Afterwards every
 * order is refunded in full, once, at the gateway simulator too; the books reconcile (`npm run reconcile
 * -w @marquee/ordering`); and the SMTP sink holds exactly one cancellation notice per holder — with no
 * refund mail beside it, as the notice says the money comes back.
 */
describe("an event cancelled with 500 ticket holders, ordering and notification killed midway (issue #23)", function () {
  this.timeout(1_200_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-event-cancellation-${process.pid}`);
  // Offsets 13_505 … 13_905 give no port that another suite's stack (13_041/13_085/13_185/13_285/14_0xx
  // + n·100, the launcher test's 11_000 + n·100, the bench's 15_460) uses; the highest service port,
  // 50059 + 13_905, stays below 65536.
  const portOffset = 13_505 + (process.pid % 5) * 100;

  let stack: Stack;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  let ordering: Client<typeof OrderingService>;
  let payment: MeshClient<typeof PaymentService>;
  let signingKey: Parameters<typeof mintDevToken>[0];
  let organizer: string;
  const restarted: RestartedService[] = [];

  const say = (line: string) => process.stdout.write(`      ${line}\n`);

  before(async () => {
    // The stack's services read the launcher's environment: a crashed sender's claims lapse after 15 s,
    // not the production 2 minutes, so the test does not sit out the default lease.
    const saved = process.env.SEND_LEASE_MS;
    process.env.SEND_LEASE_MS = "15000";
    try {
      stack = await startStack({ dataDir, portOffset, logLevel: "warn", isRateLimited: false });
    } finally {
      if (saved === undefined) delete process.env.SEND_LEASE_MS;
      else process.env.SEND_LEASE_MS = saved;
    }
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    const connect = createConnectTransport({ baseUrl: stack.bffUrl, httpVersion: "1.1" });
    catalog = createClient(CatalogService, connect);
    inventory = createClient(InventoryService, connect);
    ordering = createClient(OrderingService, connect);
    signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
    organizer = await mintDevToken(signingKey, { sub: randomUUID(), roles: ["customer", "organizer"] });
    const address = stack.services.find((service) => service.name === "payment")?.address ?? "";
    payment = createMeshClient(PaymentService, { address, timeoutMs: 10_000 });
  });

  after(async () => {
    payment?.close();
    for (const service of restarted) await service.stop();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** What the browser does with the card form: POST it to the gateway from the web app's origin. */
  async function tokenize(): Promise<string> {
    const response = await fetch(`${stack.paymentGatewayUrl}/v1/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.bffUrl ?? "" },
      body: JSON.stringify({
        card: { number: "4242424242424242", exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: "123" },
      }),
    });
    if (!response.ok) throw new Error(`tokenize answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  /** Every order of the event, read as its organizer reads them (ListOrders, 100 a page). */
  async function ordersOf(eventId: string): Promise<Order[]> {
    const orders: Order[] = [];
    let pageToken = "";
    do {
      const page = await ordering.listOrders({ eventId, pageSize: 100, pageToken }, bearer(organizer));
      orders.push(...page.orders);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return orders;
  }

  /** One holder's checkout: a place on the floor held, the card tokenized, the order paid. */
  async function buyOne(eventId: string, token: string, email: string): Promise<Order> {
    const { hold } = await inventory.holdSeats(
      { eventId, places: [{ sectionId: "floor", quantity: 1 }] },
      bearer(token),
    );
    const { order } = await ordering.createOrder(
      {
        holdId: hold?.id ?? "",
        idempotencyKey: randomUUID(),
        paymentMethodToken: await tokenize(),
        buyer: { name: "Ticket Holder", email },
      },
      bearer(token),
    );
    if (order === undefined) throw new Error("CreateOrder answered no order");
    if (order.state !== OrderState.PENDING) return order;
    return await waitFor(
      `order ${order.id} to settle`,
      async () => {
        const { order: now } = await ordering.getOrder({ orderId: order.id }, bearer(token));
        return now?.state === OrderState.PENDING ? undefined : now;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  const cancellationMails = (title: string) =>
    stack.mail.mails.filter((mail) => mail.subject === `Cancelled: ${title}`);

  it("refunds all 500 orders once, reconciles, and mails each holder one cancellation notice", async () => {
    const title = `Monsoon night ${randomUUID().slice(0, 8)}`;
    const { venue } = await catalog.createVenue(
      {
        venue: {
          name: "Chattogram Open Ground",
          city: "Chattogram",
          address: "Patenga, Chattogram",
          countryCode: "BD",
          timeZone: "Asia/Dhaka",
          sections: [
            { id: "floor", name: "Floor", layout: { case: "generalAdmission", value: { capacity: holderCount } } },
          ],
        },
      },
      bearer(organizer),
    );
    const { event: draft } = await catalog.createEvent(
      {
        event: {
          ...create(EventSchema, chattogramConcert(title, venue?.id ?? "")),
          // The ground is all floor: one tier.
          priceTiers: [create(PriceTierSchema, { id: "floor", name: "Floor", price: bdt(800), sectionIds: ["floor"] })],
        },
      },
      bearer(organizer),
    );
    const eventId = draft?.id ?? "";
    await catalog.publishEvent({ eventId }, bearer(organizer));

    // Holders' tokens minted first, so the clock below times the checkouts alone.
    const holders = await Promise.all(
      Array.from({ length: holderCount }, async (_, index) => ({
        email: `holder-${index}-${eventId.slice(0, 8)}@example.test`,
        token: await mintDevToken(signingKey, { sub: randomUUID(), roles: ["customer"] }),
      })),
    );
    const started = Date.now();
    const confirmed: Order[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrentBuyers }, async () => {
        for (let index = next++; index < holders.length; index = next++) {
          const holder = holders[index];
          if (holder === undefined) break;
          const order = await buyOne(eventId, holder.token, holder.email);
          expect(order.state, `order of ${holder.email}`).to.equal(OrderState.CONFIRMED);
          confirmed.push(order);
          if (confirmed.length % 50 === 0) {
            say(`${confirmed.length} orders confirmed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          }
        }
      }),
    );
    const buyingS = (Date.now() - started) / 1000;
    say(
      `${holderCount} checkouts through the BFF in ${buyingS.toFixed(1)} s (${(holderCount / buyingS).toFixed(1)}/s)`,
    );
    const paidMinor = confirmed.reduce((sum, order) => sum + (order.total?.amountMinor ?? 0n), 0n);

    // The tickets mails first, so that what is mailed after the cancellation is the notices alone.
    await waitFor(
      "the tickets mail of every holder",
      () => stack.mail.mails.filter((mail) => mail.subject === `Your tickets: ${title}`).length >= holderCount,
      { timeoutMs: 300_000, intervalMs: 500 },
    );
    say(
      `${holderCount} tickets mails received ${((Date.now() - started) / 1000).toFixed(1)} s after the first checkout`,
    );

    const cancelled = Date.now();
    await catalog.cancelEvent({ eventId, reason: "a cyclone warning for the coast" }, bearer(organizer));

    // Each service is killed once it is well into its work and before it is done.
    const refundedNow = async () =>
      (await ordersOf(eventId)).filter((order) => order.state === OrderState.REFUNDED).length;
    const killOrdering = async () => {
      const atKill = await waitFor(
        "ordering to have refunded some orders",
        async () => {
          const count = await refundedNow();
          return count >= 100 ? count : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );
      restarted.push(await killAndRestart(stack, "ordering"));
      say(`ordering killed with ${atKill} of ${holderCount} orders refunded, and started again`);
      return atKill;
    };
    const killNotification = async () => {
      const atKill = await waitFor(
        "notification to have mailed some notices",
        () => {
          const count = cancellationMails(title).length;
          return count >= 50 ? count : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 20 },
      );
      restarted.push(await killAndRestart(stack, "notification"));
      say(`notification killed with ${atKill} of ${holderCount} notices mailed, and started again`);
      return atKill;
    };
    const [refundedAtKill, mailedAtKill] = await Promise.all([killOrdering(), killNotification()]);
    expect(refundedAtKill, "ordering was killed after it had finished").to.be.below(holderCount);
    expect(mailedAtKill, "notification was killed after it had finished").to.be.below(holderCount);

    const settled = await waitFor(
      "every order refunded and its refund settled",
      async () => {
        const orders = await ordersOf(eventId);
        const done = orders.filter(
          (order) =>
            order.state === OrderState.REFUNDED &&
            order.refunds.every((refund) => refund.state === RefundState.SUCCEEDED),
        );
        return done.length === holderCount ? orders : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 1000 },
    );
    say(
      `${holderCount} orders refunded and settled ${((Date.now() - cancelled) / 1000).toFixed(1)} s after CancelEvent`,
    );
    expect(settled).to.have.length(holderCount);
    for (const order of settled) {
      expect(order.refunds.map((refund) => refund.reason)).to.deep.equal([RefundReason.EVENT_CANCELLED]);
      expect(order.refundedAmount?.amountMinor).to.equal(order.total?.amountMinor);
    }

    // The gateway's own records: one refund per payment, of the whole amount.
    const service = await mintDevToken(signingKey, { sub: "svc:ordering" });
    let gatewayRefundCount = 0;
    let gatewayRefundedMinor = 0n;
    let nextOrder = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let index = nextOrder++; index < settled.length; index = nextOrder++) {
          const order = settled[index];
          if (order === undefined) break;
          const { payment: paid } = await payment.getPayment({ orderId: order.id }, { token: service });
          const response = await fetch(
            `${stack.paymentGatewayUrl}/v1/refunds?payment_intent=${paid?.providerPaymentIntentId ?? ""}`,
            { headers: { authorization: `Bearer ${gatewaySecretKey}` } },
          );
          const { data } = (await response.json()) as { data: { amount: number; status: string }[] };
          expect(data.map((refund) => [refund.amount, refund.status])).to.deep.equal([
            [Number(order.total?.amountMinor), "succeeded"],
          ]);
          gatewayRefundCount += data.length;
          gatewayRefundedMinor += BigInt(data[0]?.amount ?? 0);
        }
      }),
    );
    expect(gatewayRefundCount).to.equal(holderCount);
    expect(gatewayRefundedMinor).to.equal(paidMinor);

    const output = reconcileBooks(stack);
    say(output.trim().split("\n").join("\n      "));
    expect(output).to.match(
      /^1 cancelled events checked \(500 orders, (\d+) captured, \1 refunded .*0 cancellation discrepancies$/m,
    );
    expect(output).to.match(/ 0 discrepancies$/m);

    // Every holder's notice, once; nothing more arrives after a last look.
    await waitFor("a notice to every holder", () => cancellationMails(title).length >= holderCount, {
      timeoutMs: 300_000,
      intervalMs: 500,
    });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const notices = cancellationMails(title);
    const perHolder = new Map<string, Set<string>>();
    for (const mail of notices) {
      for (const to of mail.to) perHolder.set(to, (perHolder.get(to) ?? new Set()).add(messageIdOf(mail.raw)));
    }
    const copies = notices.length - holderCount;
    say(`${notices.length} cancellation notices for ${perHolder.size} holders (${copies} resent copies)`);
    expect([...perHolder.keys()].sort()).to.deep.equal(holders.map((holder) => holder.email).sort());
    // One notice per holder. The one window no SMTP client closes — the sink's 250 reached the sender and
    // the kill came before its row was marked — resends the mail in flight (the sender sends one at a
    // time) with its first Message-ID, which mail providers and clients fold into one.
    for (const [holder, ids] of perHolder) expect(ids.size, holder).to.equal(1);
    expect(copies, "resent copies").to.be.at.most(1);
    expect(notices[0]?.text).to.contain("refunded in full");
    const refundMails = stack.mail.mails.filter((mail) => mail.subject === `Refund for your order: ${title}`);
    expect(refundMails, "refund mails beside the notices").to.have.length(0);
  });
});

/** The Message-ID header of a raw message. */
function messageIdOf(raw: Buffer): string {
  return /^message-id:\s*(.+)$/im.exec(raw.toString("utf8"))?.[1]?.trim() ?? "";
}
