import { randomUUID } from "node:crypto";
import { coach, concertIn, hall, publish, ride, tripOn } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import { badFields, failureOf, preconditions } from "@marquee/mesh/testing";
import { gatewayIntent } from "@marquee/payment/testing";
import { SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderFailureReason, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { expect } from "chai";
import { buyer, cards, checkout, hold, tokenize, useOrdering } from "../support/testing.js";

describe("OrderingService.CreateOrder: a buyer pays for a hold and gets tickets", () => {
  const env = useOrdering();

  async function seatState(eventId: string, seatId: string) {
    const { seats } = await env.inventory.client.getAvailability({ eventId, includeSeats: true });
    return seats.find((seat) => seat.seatId === seatId)?.state;
  }

  it("prices the hold on the server, charges it once, sells the seats and issues a signed ticket per seat", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const ana = await buyer("ana");
    const held = await hold(env, ana, event.id, ["stalls:A-1", "box:A-1"]);
    const quote = await env.client.quoteOrder({ holdId: held.id }, { token: ana.token });
    // Standard 2,000.00 + Premium 5,000.00 BDT, and the default 2.5 % fee per ticket.
    expect(quote.subtotal?.amountMinor).to.equal(700_000n);
    expect(quote.fees?.amountMinor).to.equal(17_500n);
    expect(quote.total).to.include({ currencyCode: "BDT", amountMinor: 717_500n });

    const order = await checkout(env, ana, held.id);
    expect(order.state).to.equal(OrderState.CONFIRMED);
    expect(order.total?.amountMinor).to.equal(717_500n);
    expect(order.cardBrand).to.equal("visa");
    expect(order.cardLast4).to.equal("4242");
    expect(order.lineItems.map((line) => [line.seatLabel, line.priceTierName])).to.deep.equal([
      ["Row A, Seat 1", "Standard"],
      ["Row A, Seat 1", "Premium"],
    ]);
    expect(order.tickets).to.have.length(2);
    for (const ticket of order.tickets) {
      expect(ticket.state).to.equal(TicketState.ISSUED);
      expect(ticket.qrPayload).to.match(/^mq1\./);
    }
    expect(await seatState(event.id, "stalls:A-1")).to.equal(SeatState.SOLD);

    const { payment } = await env.payment.client.getPayment({ orderId: order.id });
    const intent = await gatewayIntent(env.payment.gateway.url, payment?.providerPaymentIntentId ?? "");
    expect(intent.amount_received).to.equal(717_500);
  });

  it("sells a coach seat for one ride: bought Dhaka → Jessore, it stays on sale Jessore → Kolkata", async () => {
    const trip = await publish(env.inventory.catalog, coach, tripOn);
    const first = await buyer("to-jessore");
    const { hold: toJessore } = await env.inventory.client.holdSeats(
      { eventId: trip.id, seatIds: ["cabin:7-A"], ride: ride("dhaka", "jessore") },
      { token: first.token },
    );
    const order = await checkout(env, first, toJessore?.id ?? "");
    expect(order.state).to.equal(OrderState.CONFIRMED);
    expect(order.ride).to.deep.include({ boardingStopId: "dhaka", alightingStopId: "jessore" });
    expect(order.tickets[0]?.ride).to.deep.include({ boardingStopId: "dhaka", alightingStopId: "jessore" });
    const stateOn = async (from: string, to: string) => {
      const { seats } = await env.inventory.client.getAvailability({
        eventId: trip.id,
        ride: ride(from, to),
        includeSeats: true,
      });
      return seats.find((seat) => seat.seatId === "cabin:7-A")?.state;
    };
    expect(await stateOn("faridpur", "jessore")).to.equal(SeatState.SOLD);
    expect(await stateOn("jessore", "kolkata")).to.equal(SeatState.AVAILABLE);
    const second = await buyer("from-jessore");
    const { hold: fromJessore } = await env.inventory.client.holdSeats(
      { eventId: trip.id, seatIds: ["cabin:7-A"], ride: ride("jessore", "kolkata") },
      { token: second.token },
    );
    expect((await checkout(env, second, fromJessore?.id ?? "")).state).to.equal(OrderState.CONFIRMED);
    expect(await stateOn("dhaka", "kolkata")).to.equal(SeatState.SOLD);
  });

  it("answers the same order for the same key and request, and refuses the key with another request", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const ben = await buyer("ben");
    const held = await hold(env, ben, event.id, ["stalls:B-1"]);
    const request = {
      holdId: held.id,
      idempotencyKey: randomUUID(),
      paymentMethodToken: await tokenize(env.payment.gateway.url),
      buyer: ben.contact,
    };
    const [first, second] = await Promise.all([
      env.client.createOrder(request, { token: ben.token }),
      env.client.createOrder(request, { token: ben.token }),
    ]);
    expect(second.order?.id).to.equal(first.order?.id);
    const error = await failureOf(
      env.client.createOrder({ ...request, buyer: { ...ben.contact, name: "Someone Else" } }, { token: ben.token }),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error).map((v) => v.type)).to.deep.equal(["IDEMPOTENCY_KEY_REUSED"]);
  });

  it("keeps the hold after a decline, so another card pays for the same seats", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const cyd = await buyer("cyd");
    const held = await hold(env, cyd, event.id, ["stalls:C-1"]);
    const declined = await checkout(env, cyd, held.id, cards.insufficientFunds);
    expect(declined.state).to.equal(OrderState.FAILED);
    expect(declined.failureReason).to.equal(OrderFailureReason.PAYMENT_DECLINED);
    expect(declined.declineCode).to.equal("insufficient_funds");
    expect(declined.tickets).to.deep.equal([]);
    expect(await seatState(event.id, "stalls:C-1")).to.equal(SeatState.HELD);
    const paid = await checkout(env, cyd, held.id, cards.success);
    expect(paid.state).to.equal(OrderState.CONFIRMED);
  });

  it("refuses bad input naming each field, another buyer's hold as unknown, and a stale expected total", async () => {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const dee = await buyer("dee");
    const eve = await buyer("eve");
    const held = await hold(env, dee, event.id, ["stalls:D-1"]);
    const bad = await failureOf(
      env.client.createOrder(
        { holdId: "", idempotencyKey: "", paymentMethodToken: "", buyer: { name: "", email: "not-mail", phone: "12" } },
        { token: dee.token },
      ),
    );
    expect(badFields(bad)).to.have.members([
      "hold_id",
      "idempotency_key",
      "payment_method_token",
      "buyer.name",
      "buyer.email",
      "buyer.phone",
    ]);
    const token = await tokenize(env.payment.gateway.url);
    const base = { holdId: held.id, paymentMethodToken: token, buyer: dee.contact };
    expect(
      (await failureOf(env.client.createOrder({ ...base, idempotencyKey: randomUUID() }, { token: eve.token }))).code,
    ).to.equal(Code.NotFound);
    const stale = await failureOf(
      env.client.createOrder(
        { ...base, idempotencyKey: randomUUID(), expectedTotal: { currencyCode: "BDT", amountMinor: 1n } },
        { token: dee.token },
      ),
    );
    expect(preconditions(stale).map((v) => v.type)).to.deep.equal(["PRICE_CHANGED"]);
    const stranger = await failureOf(
      env.client.createOrder(
        { ...base, idempotencyKey: randomUUID(), attendees: [{ seatId: "stalls:E-9", name: "Zed" }] },
        { token: dee.token },
      ),
    );
    expect(badFields(stranger)).to.deep.equal(["attendees[0].seat_id"]);
    const { orders } = await env.client.listMyOrders({}, { token: dee.token });
    expect(orders).to.deep.equal([]);
  });
});
