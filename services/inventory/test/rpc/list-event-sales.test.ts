import { Code } from "@marquee/mesh";
import { badFields, customerToken, failureOf, testId } from "@marquee/mesh/testing";
import type { ListEventSalesResponse } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { expect } from "chai";
import { coach, concertIn, hall, publish, ride, tripOn, useInventory } from "../support/inventory.js";

describe("InventoryInternalService.ListEventSales", () => {
  const env = useInventory();

  async function buy(
    eventId: string,
    orderName: string,
    seats: { seatIds?: string[]; pitPlaces?: number; ride?: [string, string] },
  ) {
    const { hold } = await env.client.holdSeats(
      {
        eventId,
        seatIds: seats.seatIds ?? [],
        places: seats.pitPlaces ? [{ sectionId: "pit", quantity: seats.pitPlaces }] : [],
        ...(seats.ride ? { ride: ride(...seats.ride) } : {}),
      },
      { token: await customerToken(testId(`buyer-${orderName}`)) },
    );
    await env.internal.commitHold({ holdId: hold?.id ?? "", orderId: testId(orderName) });
  }

  /** Every page of an event's sales, and the pages' sizes. */
  async function allSales(eventId: string, pageSize = 0) {
    const pages: ListEventSalesResponse[] = [];
    let pageToken = "";
    do {
      const page = await env.internal.listEventSales({ eventId, pageSize, pageToken });
      pages.push(page);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return { sales: pages.flatMap((page) => page.orderSales), sizes: pages.map((page) => page.orderSales.length) };
  }

  /** An order's sales as plain data: its count and `seat@boarding-alighting` (GA places as `section*`). */
  function described(sales: Awaited<ReturnType<typeof allSales>>["sales"]) {
    return Object.fromEntries(
      sales.map((order) => [
        order.orderId,
        {
          seatLegs: order.seatLegs,
          seats: order.soldSeats.map(
            (seat) =>
              `${seat.seatId || `${seat.sectionId}*`}${seat.ride ? `@${seat.ride.boardingStopId}-${seat.ride.alightingStopId}` : ""}`,
          ),
        },
      ]),
    );
  }

  it("lists each order's seat-legs, seats and general-admission places, and rides on a trip, by order id", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const trip = await publish(env.catalog, coach, tripOn);
    await buy(event.id, "concert-a", { seatIds: ["stalls:A-1", "box:A-2"], pitPlaces: 2 });
    await buy(event.id, "concert-b", { seatIds: ["stalls:B-5"] });
    await buy(trip.id, "trip-a", { seatIds: ["cabin:7-A"], ride: ["dhaka", "jessore"] });
    await buy(trip.id, "trip-b", { seatIds: ["cabin:7-A", "cabin:7-B"], ride: ["jessore", "kolkata"] });

    const concert = await allSales(event.id);
    expect(concert.sales.map((order) => order.orderId)).to.deep.equal(
      [testId("concert-a"), testId("concert-b")].sort(),
    );
    expect(described(concert.sales)).to.deep.equal({
      [testId("concert-a")]: { seatLegs: 4, seats: ["stalls:A-1", "box:A-2", "pit*", "pit*"] },
      [testId("concert-b")]: { seatLegs: 1, seats: ["stalls:B-5"] },
    });
    expect(described((await allSales(trip.id)).sales)).to.deep.equal({
      [testId("trip-a")]: { seatLegs: 2, seats: ["cabin:7-A@dhaka-jessore"] },
      [testId("trip-b")]: { seatLegs: 4, seats: ["cabin:7-A@jessore-kolkata", "cabin:7-B@jessore-kolkata"] },
    });

    // A released seat leaves the ledger, and an order with none left leaves the list.
    await env.internal.releaseSold({ eventId: event.id, orderId: testId("concert-a"), seatIds: ["box:A-2"] });
    await env.internal.releaseSold({ eventId: event.id, orderId: testId("concert-b") });
    expect(described((await allSales(event.id)).sales)).to.deep.equal({
      [testId("concert-a")]: { seatLegs: 3, seats: ["stalls:A-1", "pit*", "pit*"] },
    });
    const unsold = await publish(env.catalog, hall, concertIn);
    expect(await env.internal.listEventSales({ eventId: unsold.id })).to.deep.include({
      orderSales: [],
      nextPageToken: "",
    });
  });

  it("shows a ride with a leg missing from the ledger as two runs, and a seat index off the map as neither seat nor section", async () => {
    const trip = await publish(env.catalog, coach, tripOn);
    await buy(trip.id, "gap", { seatIds: ["cabin:7-C"] });
    const em = env.orm.em.fork();
    await em.execute("delete from sold_seat where event_id = ? and order_id = ? and leg = 1", [trip.id, testId("gap")]);
    await em.execute(
      `insert into sold_seat (event_id, seat_index, leg, order_id, hold_id, user_id, sold_at)
       values (?, 9999, 0, ?, 'made-up', 'made-up', now())`,
      [trip.id, testId("off-map")],
    );
    expect(described((await allSales(trip.id)).sales)).to.deep.equal({
      [testId("gap")]: { seatLegs: 3, seats: ["cabin:7-C@dhaka-faridpur", "cabin:7-C@jessore-kolkata"] },
      [testId("off-map")]: { seatLegs: 1, seats: ["*@dhaka-faridpur"] },
    });
  });

  it("pages by order id: page_size orders a page, every order once, and a short page past 20,000 seat-legs", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const names = ["p-1", "p-2", "p-3", "p-4", "p-5"];
    for (const [index, name] of names.entries()) await buy(event.id, name, { seatIds: [`stalls:C-${index + 1}`] });
    const paged = await allSales(event.id, 2);
    expect(paged.sizes).to.deep.equal([2, 2, 1]);
    expect(paged.sales.map((order) => order.orderId)).to.deep.equal(names.map(testId).sort());
    expect((await allSales(event.id, 5000)).sizes).to.deep.equal([5]);

    // Three made-up orders of 8,000 seat-legs each (seat indexes off the map): two fill a page.
    const big = await publish(env.catalog, hall, concertIn);
    for (const [index, name] of ["big-1", "big-2", "big-3"].entries()) {
      await env.orm.em.fork().execute(
        `insert into sold_seat (event_id, seat_index, leg, order_id, hold_id, user_id, sold_at)
         select ?, ? + i, 0, ?, 'made-up', 'made-up', now() from generate_series(1, 8000) as i`,
        [big.id, 100_000 * (index + 1), testId(name)],
      );
    }
    const budgeted = await allSales(big.id, 10);
    expect(budgeted.sizes).to.deep.equal([2, 1]);
    expect(budgeted.sales.map((order) => order.seatLegs)).to.deep.equal([8000, 8000, 8000]);
  });

  it("refuses a bad event id, a negative page size and a foreign page token with INVALID_ARGUMENT naming each, and an unknown event with NOT_FOUND", async () => {
    const bad = await failureOf(env.internal.listEventSales({ eventId: "not-an-id", pageSize: -1 }));
    expect(bad.code).to.equal(Code.InvalidArgument);
    expect(badFields(bad)).to.deep.equal(["event_id", "page_size"]);

    const event = await publish(env.catalog, hall, concertIn);
    const other = await publish(env.catalog, hall, concertIn);
    await buy(event.id, "t-1", { seatIds: ["stalls:D-1"] });
    await buy(event.id, "t-2", { seatIds: ["stalls:D-2"] });
    const { nextPageToken } = await env.internal.listEventSales({ eventId: event.id, pageSize: 1 });
    expect(nextPageToken).to.not.equal("");
    for (const pageToken of [nextPageToken.slice(1), "garbage"]) {
      const wrong = await failureOf(env.internal.listEventSales({ eventId: event.id, pageToken }));
      expect(badFields(wrong), pageToken).to.deep.equal(["page_token"]);
    }
    const foreign = await failureOf(env.internal.listEventSales({ eventId: other.id, pageToken: nextPageToken }));
    expect(badFields(foreign)).to.deep.equal(["page_token"]);

    const unknown = await failureOf(env.internal.listEventSales({ eventId: testId("no-such-event") }));
    expect(unknown.code).to.equal(Code.NotFound);
  });
});
