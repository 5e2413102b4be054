import { randomUUID } from "node:crypto";
import { concertIn, hall, publish } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import { codeOf, customerToken } from "@marquee/mesh/testing";
import { OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingInternalService } from "@marquee/proto/marquee/ordering/v1/ordering_internal_pb.js";
import { expect } from "chai";
import { buyer, checkoutSettled, hold, useOrdering } from "../support/testing.js";

describe("OrderingInternalService.GetOrderForNotification: an order for the notification service", () => {
  const env = useOrdering({ background: true });

  it("answers any order with its tickets' QR payloads, as its buyer reads it, to a service", async () => {
    const ana = await buyer("ana-notified");
    const concertId = (await publish(env.inventory.catalog, hall, concertIn)).id;
    const placed = await checkoutSettled(env, ana, (await hold(env, ana, concertId, ["stalls:B-1", "stalls:B-2"])).id);
    expect(placed.state).to.equal(OrderState.CONFIRMED);
    const internal = await env.service.client(OrderingInternalService, { serviceName: "notification" });
    const { order } = await internal.getOrderForNotification({ orderId: placed.id });
    expect(order?.buyer?.email).to.equal(ana.contact.email);
    expect(order?.tickets).to.have.length(2);
    const { order: asBuyer } = await env.client.getOrder({ orderId: placed.id }, { token: ana.token });
    expect(order?.tickets.map((ticket) => ticket.qrPayload)).to.deep.equal(
      asBuyer?.tickets.map((ticket) => ticket.qrPayload),
    );
    expect(order?.tickets.every((ticket) => ticket.qrPayload !== "")).to.equal(true);
  });

  it("is NOT_FOUND for an unknown order and refused to users", async () => {
    const internal = await env.service.client(OrderingInternalService, { serviceName: "notification" });
    expect(await codeOf(internal.getOrderForNotification({ orderId: randomUUID() }))).to.equal(Code.NotFound);
    const customer = await customerToken();
    expect(await codeOf(internal.getOrderForNotification({ orderId: randomUUID() }, { token: customer }))).to.equal(
      Code.PermissionDenied,
    );
  });
});
