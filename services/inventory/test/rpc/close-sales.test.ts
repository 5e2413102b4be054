import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { startCatalog } from "@marquee/catalog/testing";
import { Code, type Consumer, createClient, type Relay, startRelay, writeEvent } from "@marquee/mesh";
import {
  customerToken,
  failureOf,
  freePort,
  organizerToken,
  preconditions,
  testId,
  testUserIds,
  waitFor,
} from "@marquee/mesh/testing";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { EventCancelledSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { HoldState, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { followCatalog } from "../../src/background/catalog-events.js";
import {
  concertIn,
  hall,
  logger,
  publish,
  soldRows,
  startInventoryOn,
  type TestInventory,
  useInventory,
} from "../support/inventory.js";

/** The one refusal of every hold, extension and commit on a closed event. */
function cancelled(eventId: string) {
  return [{ type: "EVENT_CANCELLED", subject: `event:${eventId}` }];
}

describe("InventoryInternalService.CloseSales", () => {
  const env = useInventory();

  async function closedRow(eventId: string): Promise<boolean> {
    const rows = await env.orm.em.fork().execute("select 1 from closed_event where event_id = ?", [eventId]);
    return rows.length === 1;
  }

  it("releases live holds and refuses to extend or commit them; a sale made before stays sold and refundable", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const token = await customerToken(testId("closing-buyer"));
    const { hold: live } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-1"] }, { token });
    const { hold: paid } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-2"] }, { token });
    await env.internal.commitHold({ holdId: paid?.id ?? "", orderId: testId("order-paid") });

    expect(await env.internal.closeSales({ eventId: event.id })).to.include({ releasedHoldCount: 1 });
    expect((await env.client.getHold({ holdId: live?.id ?? "" }, { token })).hold?.state).to.equal(HoldState.RELEASED);
    for (const refused of [
      () => env.client.extendHold({ holdId: live?.id ?? "" }, { token }),
      () => env.internal.commitHold({ holdId: live?.id ?? "", orderId: testId("order-late") }),
      () => env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-3"] }, { token }),
      () => env.client.holdBestAvailable({ eventId: event.id, quantity: 2 }, { token }),
      () => env.client.holdSeats({ eventId: event.id, places: [{ sectionId: "pit", quantity: 2 }] }, { token }),
    ]) {
      const error = await failureOf(refused());
      expect(error.code).to.equal(Code.FailedPrecondition);
      expect(preconditions(error)).to.deep.equal(cancelled(event.id));
    }
    // The saga retrying the commit of a sale made before the closure gets that sale; the refund works.
    const retried = await env.internal.commitHold({ holdId: paid?.id ?? "", orderId: testId("order-paid") });
    expect(retried.hold?.state).to.equal(HoldState.COMMITTED);
    expect(await soldRows(env.orm, event.id)).to.have.length(1);
    const refund = await env.internal.releaseSold({ eventId: event.id, orderId: testId("order-paid") });
    expect(refund.releasedSeatIds).to.deep.equal(["stalls:A-2"]);
    // Idempotent: closing again releases nothing and succeeds.
    expect(await env.internal.closeSales({ eventId: event.id })).to.include({ releasedHoldCount: 0 });
  });

  it("closes an event inventory never loaded, or does not know: its first hold is refused", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    expect(await env.redis.exists(`{ev:${event.id}}:meta`)).to.equal(0);
    expect(await env.internal.closeSales({ eventId: event.id })).to.include({ releasedHoldCount: 0 });
    expect(await closedRow(event.id)).to.equal(true);
    const token = await customerToken(testId("first-in-line"));
    const error = await failureOf(env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:A-1"] }, { token }));
    expect(preconditions(error)).to.deep.equal(cancelled(event.id));
    expect((await env.internal.loadEvent({ eventId: event.id })).seatCount).to.equal(104);
    expect(
      preconditions(await failureOf(env.client.holdBestAvailable({ eventId: event.id, quantity: 1 }, { token }))),
    ).to.deep.equal(cancelled(event.id));

    const unknown = randomUUID();
    expect(await env.internal.closeSales({ eventId: unknown })).to.include({ releasedHoldCount: 0 });
    expect(await closedRow(unknown)).to.equal(true);
  });

  it("keeps an event closed after Redis lost it (FLUSHALL): the load reads the closure back with the ledger", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const token = await customerToken(testId("before-the-loss"));
    const { hold: paid } = await env.client.holdSeats({ eventId: event.id, seatIds: ["box:A-1"] }, { token });
    await env.internal.commitHold({ holdId: paid?.id ?? "", orderId: testId("order-kept") });
    await env.client.holdSeats({ eventId: event.id, seatIds: ["box:A-2"] }, { token });
    // Closed in inventory only: catalog still says PUBLISHED, so only inventory's own record can refuse.
    await env.internal.closeSales({ eventId: event.id });
    expect((await env.catalog.client.getEvent({ eventId: event.id })).event?.state).to.equal(EventState.PUBLISHED);

    await env.redis.flushall();
    const error = await failureOf(env.client.holdSeats({ eventId: event.id, seatIds: ["box:A-3"] }, { token }));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal(cancelled(event.id));
    const { seats } = await env.client.getAvailability({ eventId: event.id, includeSeats: true, sectionIds: ["box"] });
    expect(seats.map((seat) => [seat.seatId, seat.state])).to.deep.equal([
      ["box:A-1", SeatState.SOLD],
      ["box:A-2", SeatState.AVAILABLE],
      ["box:A-3", SeatState.AVAILABLE],
      ["box:A-4", SeatState.AVAILABLE],
    ]);
    // LoadEvent after another loss loads it closed too.
    await env.redis.flushall();
    expect(await env.internal.loadEvent({ eventId: event.id })).to.include({ soldSeatLegs: 1 });
    expect(
      preconditions(await failureOf(env.client.holdBestAvailable({ eventId: event.id, quantity: 1 }, { token }))),
    ).to.deep.equal(cancelled(event.id));
  });

  it("answers INVALID_ARGUMENT for a missing or malformed event id, and is internal", async () => {
    expect((await failureOf(env.internal.closeSales({ eventId: "" }))).code).to.equal(Code.InvalidArgument);
    expect((await failureOf(env.internal.closeSales({ eventId: "not-a-uuid" }))).code).to.equal(Code.InvalidArgument);
    // Called with a customer's token, an INTERNAL RPC refuses it.
    const asCustomer = createClient(InventoryInternalService, { address: env.server.address });
    try {
      const error = await failureOf(
        asCustomer.closeSales({ eventId: randomUUID() }, { token: await customerToken(testId("intruder")) }),
      );
      expect(error.code).to.equal(Code.PermissionDenied);
    } finally {
      asCustomer.close();
    }
  });
});

describe("EventCancelled from catalog's stream", () => {
  const env = useInventory();
  let relay: Relay | undefined;
  let consumer: Consumer | undefined;

  after(async () => {
    await consumer?.stop();
    await relay?.stop();
  });

  it("closes the event's sales in inventory too, for an event cancelled without CloseSales", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const token = await customerToken(testId("holding-on"));
    const { hold } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:C-5"] }, { token });
    // An EventCancelled that reached the stream without CloseSales having run (a catalog from before it
    // was called, say): written to catalog's outbox the way CancelEvent writes it, relayed to the stream.
    await env.catalog.orm.em.fork().transactional((tx) =>
      writeEvent(tx, {
        source: "catalog",
        subject: event.id,
        schema: EventCancelledSchema,
        payload: create(EventCancelledSchema, { eventId: event.id, reason: "Flooding" }),
      }),
    );
    relay = startRelay({ orm: env.catalog.orm, redis: env.redis, source: "catalog", logger, pollMs: 10 });
    consumer = followCatalog(env.inventory, env.redis, `close-sales-test-${randomUUID()}`);

    await waitFor(
      "the consumer to close the event's sales",
      async () => (await env.client.getHold({ holdId: hold?.id ?? "" }, { token })).hold?.state === HoldState.RELEASED,
      { timeoutMs: 20_000 },
    );
    const error = await failureOf(env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:C-6"] }, { token }));
    expect(preconditions(error)).to.deep.equal(cancelled(event.id));
    expect(
      (await env.orm.em.fork().execute("select 1 from closed_event where event_id = ?", [event.id])).length,
    ).to.equal(1);
  });
});

describe("CatalogService.CancelEvent while inventory is down", () => {
  it("answers UNAVAILABLE and changes nothing; called again once inventory is up, it cancels and closes sales", async function () {
    this.timeout(60_000);
    // A catalog told where an inventory will serve, before one does.
    const port = await freePort();
    const catalog = await startCatalog({ inventory: `127.0.0.1:${port}` });
    let inventory: (TestInventory & { close(): Promise<void> }) | undefined;
    try {
      const event = await publish(catalog, hall, concertIn);
      const organizer = await organizerToken(testUserIds.organizer);
      const down = await failureOf(
        catalog.client.cancelEvent({ eventId: event.id, reason: "Storm" }, { token: organizer }),
      );
      expect(down.code).to.equal(Code.Unavailable);
      expect((await catalog.client.getEvent({ eventId: event.id })).event?.state).to.equal(EventState.PUBLISHED);

      inventory = await startInventoryOn(port, catalog);
      const token = await customerToken(testId("patient-buyer"));
      // Connections to a port that refused them are retried with a backoff (grpc-js shares one per address
      // in a process): the first calls may still fail while it runs out.
      const { hold } = await waitFor(
        "the inventory to be reachable",
        () => inventory?.client.holdSeats({ eventId: event.id, seatIds: ["stalls:B-1"] }, { token }),
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      // Catalog's breaker for inventory opened on the failures: a retry succeeds once it half-opens.
      const { event: done } = await waitFor(
        "a CancelEvent to go through",
        () => catalog.client.cancelEvent({ eventId: event.id, reason: "Storm" }, { token: organizer }),
        { timeoutMs: 20_000, intervalMs: 500 },
      );
      expect(done?.state).to.equal(EventState.CANCELLED);
      expect((await inventory.client.getHold({ holdId: hold?.id ?? "" }, { token })).hold?.state).to.equal(
        HoldState.RELEASED,
      );
      const error = await failureOf(
        inventory.client.holdSeats({ eventId: event.id, seatIds: ["stalls:B-2"] }, { token }),
      );
      expect(preconditions(error)).to.deep.equal(cancelled(event.id));
    } finally {
      // Closing the inventory closes its catalog.
      await (inventory ?? catalog).close();
    }
  });
});
