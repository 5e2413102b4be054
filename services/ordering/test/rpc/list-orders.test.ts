import { createEventOn } from "@marquee/catalog/testing";
import { concertIn, hall, publish } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import { adminToken, badFields, failureOf, organizerToken, testId, testUserIds } from "@marquee/mesh/testing";
import { type Order, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import type { ListOrdersRequest } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { expect } from "chai";
import { type Buyer, buyer, cards, checkout, hold, useOrdering } from "../support/testing.js";

describe("OrderingService.ListOrders: organizers and admins list orders for managing bookings", () => {
  const env = useOrdering();
  let organizer: string;
  let admin: string;
  let rival: string;
  let ana: Buyer;
  let ben: Buyer;
  let cyd: Buyer;
  let concertId: string;
  let rivalConcertId: string;
  /** The orders placed below, oldest first: ana's two and ben's on the concert, ben's declined one, cyd's
   * at the rival organizer's concert. */
  let placed: Order[];

  type Request = Partial<Omit<ListOrdersRequest, "$typeName">>;
  async function listed(request: Request, token = organizer): Promise<string[]> {
    const { orders } = await env.client.listOrders(request, { token });
    return orders.map((order) => order.id);
  }
  const ids = (...indexes: number[]) => indexes.map((index) => placed[index]?.id);

  before(async () => {
    organizer = await organizerToken(testUserIds.organizer);
    admin = await adminToken();
    rival = await organizerToken(testId("rival-organizer"));
    [ana, ben, cyd] = await Promise.all([buyer("ana"), buyer("ben"), buyer("cyd")]);
    concertId = (await publish(env.inventory.catalog, hall, concertIn)).id;
    rivalConcertId = (await createEventOn(env.inventory.catalog, rival, hall, concertIn)).event.id;
    placed = [];
    // One after another, so create times give a known newest-first order.
    for (const [who, eventId, seatId, card] of [
      [ana, concertId, "stalls:A-1", cards.success],
      [ana, concertId, "stalls:A-2", cards.success],
      [ben, concertId, "box:A-1", cards.success],
      [ben, concertId, "box:A-2", cards.insufficientFunds],
      [cyd, rivalConcertId, "stalls:A-1", cards.success],
    ] as const) {
      placed.push(await checkout(env, who, (await hold(env, who, eventId, [seatId])).id, card));
    }
  });

  it("shows an organizer only the orders of its own events, newest first, with tickets but no QR payloads", async () => {
    const { orders } = await env.client.listOrders({}, { token: organizer });
    expect(orders.map((order) => order.id)).to.deep.equal(ids(3, 2, 1, 0));
    expect(orders[3]?.tickets.map((ticket) => ticket.seatId)).to.deep.equal(["stalls:A-1"]);
    expect(orders.flatMap((order) => order.tickets.map((ticket) => ticket.qrPayload))).to.deep.equal(["", "", ""]);
    expect(await listed({}, rival)).to.deep.equal(ids(4));
  });

  it("shows an admin every order", async () => {
    expect(await listed({}, admin)).to.deep.equal(ids(4, 3, 2, 1, 0));
  });

  it("pages newest first with tokens that only continue the list with the filters they were issued for", async () => {
    const first = await env.client.listOrders({ pageSize: 2, eventId: concertId }, { token: organizer });
    expect(first.orders.map((order) => order.id)).to.deep.equal(ids(3, 2));
    const second = await env.client.listOrders(
      { pageSize: 2, eventId: concertId, pageToken: first.nextPageToken },
      { token: organizer },
    );
    expect(second.orders.map((order) => order.id)).to.deep.equal(ids(1, 0));
    expect(second.nextPageToken).to.equal("");

    const otherFilters = await failureOf(
      env.client.listOrders({ pageSize: 2, pageToken: first.nextPageToken }, { token: organizer }),
    );
    expect(badFields(otherFilters)).to.deep.equal(["page_token"]);
    const otherCaller = await failureOf(
      env.client.listOrders({ pageSize: 2, eventId: concertId, pageToken: first.nextPageToken }, { token: admin }),
    );
    expect(badFields(otherCaller)).to.deep.equal(["page_token"]);
  });

  it("filters by event, states, buyer email ignoring case and user, all of them together", async () => {
    expect(await listed({ eventId: rivalConcertId }, admin)).to.deep.equal(ids(4));
    expect(await listed({ states: [OrderState.FAILED] })).to.deep.equal(ids(3));
    expect(await listed({ states: [OrderState.CONFIRMED, OrderState.FAILED] }, admin)).to.deep.equal(
      ids(4, 3, 2, 1, 0),
    );
    expect(await listed({ buyerEmail: "ANA@Example.TEST" })).to.deep.equal(ids(1, 0));
    expect(await listed({ buyerEmail: "cyd@example.test" })).to.deep.equal([]);
    expect(await listed({ userId: ben.userId })).to.deep.equal(ids(3, 2));
    expect(
      await listed({
        eventId: concertId,
        userId: ben.userId,
        buyerEmail: "Ben@example.test",
        states: [OrderState.CONFIRMED],
      }),
    ).to.deep.equal(ids(2));
  });

  it("refuses a malformed email, a negative page size, and an event unknown or another organizer's", async () => {
    const bad = await failureOf(
      env.client.listOrders({ buyerEmail: "ana at example", pageSize: -1, eventId: "not-an-id" }, { token: organizer }),
    );
    expect(badFields(bad)).to.have.members(["buyer_email", "page_size", "event_id"]);
    const rivals = await failureOf(env.client.listOrders({ eventId: rivalConcertId }, { token: organizer }));
    expect(badFields(rivals)).to.deep.equal(["event_id"]);
    const unknown = await failureOf(env.client.listOrders({ eventId: testId("no-such-event") }, { token: admin }));
    expect(badFields(unknown)).to.deep.equal(["event_id"]);
  });

  it("is for organizers and admins only", async () => {
    expect((await failureOf(env.client.listOrders({}, { token: ana.token }))).code).to.equal(Code.PermissionDenied);
  });
});
