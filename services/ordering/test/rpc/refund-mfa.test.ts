import { randomUUID } from "node:crypto";
import { concertIn, hall, publish } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import { failureOf, mintTestToken, organizerToken, preconditions, testUserIds } from "@marquee/mesh/testing";
import { OrderState, RefundReason } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { expect } from "chai";
import { buyer, checkout, hold, useOrdering } from "../support/testing.js";

/** The event organizer's token as identity issues it, with the `amr` of the sign-in. */
function organizerSignedInWith(amr: readonly string[]): Promise<string> {
  return mintTestToken({ sub: testUserIds.organizer, roles: ["organizer"], amr });
}

describe("OrderingService.RefundOrder above REFUND_MFA_ABOVE_MINOR", function () {
  this.timeout(120_000);
  // 3,000.00 taka: a premium seat (5,000 and its 125 fee) is above, a standard one (2,000 and 50) is not.
  const env = useOrdering({ settings: { REFUND_MFA_ABOVE_MINOR: "300000" } });

  async function confirmedOrder(name: string, seatIds: string[]) {
    const event = await publish(env.inventory.catalog, hall, concertIn);
    const who = await buyer(name);
    const order = await checkout(env, who, (await hold(env, who, event.id, seatIds)).id);
    expect(order.state).to.equal(OrderState.CONFIRMED);
    return order;
  }

  it("refuses a refund above the threshold without a second factor, FAILED_PRECONDITION MFA_REQUIRED, and refunds nothing", async () => {
    const order = await confirmedOrder("mfa-refund-refused", ["box:A-1"]);
    const request = { orderId: order.id, reason: RefundReason.REQUESTED_BY_BUYER, idempotencyKey: randomUUID() };
    for (const token of [await organizerToken(testUserIds.organizer), await organizerSignedInWith(["pwd"])]) {
      const refused = await failureOf(env.client.refundOrder(request, { token }));
      expect(refused.code).to.equal(Code.FailedPrecondition);
      expect(preconditions(refused)).to.deep.equal([
        { type: "MFA_REQUIRED", subject: `user:${testUserIds.organizer}` },
      ]);
    }
    const { order: after } = await env.client.getOrder(
      { orderId: order.id },
      { token: (await buyer("mfa-refund-refused")).token },
    );
    expect(after?.state).to.equal(OrderState.CONFIRMED);
    expect(after?.refunds).to.deep.equal([]);
    expect(after?.tickets.map((ticket) => ticket.state)).to.deep.equal([TicketState.ISSUED]);
  });

  it("refunds above the threshold for a caller signed in with a second factor", async () => {
    const order = await confirmedOrder("mfa-refund-allowed", ["box:A-2"]);
    const { refund, order: after } = await env.client.refundOrder(
      { orderId: order.id, reason: RefundReason.REQUESTED_BY_BUYER, idempotencyKey: randomUUID() },
      { token: await organizerSignedInWith(["pwd", "otp"]) },
    );
    expect(refund?.amount?.amountMinor).to.equal(512_500n);
    expect(after?.state).to.equal(OrderState.REFUNDED);
  });

  it("needs no second factor for a refund of the threshold or less", async () => {
    const order = await confirmedOrder("mfa-refund-small", ["stalls:A-1"]);
    const { refund } = await env.client.refundOrder(
      { orderId: order.id, reason: RefundReason.REQUESTED_BY_BUYER, idempotencyKey: randomUUID() },
      { token: await organizerToken(testUserIds.organizer) },
    );
    // A standard seat: 2,000 taka and its 50 fee.
    expect(refund?.amount?.amountMinor).to.equal(205_000n);
  });
});
