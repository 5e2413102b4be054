import { randomUUID } from "node:crypto";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { organizerToken, testUserIds } from "@marquee/mesh/testing";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { countAllRows, type TestCatalog, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, at, coach, coachTrip, concert, route } from "../support/fixtures.js";

/** Calls `call`, expects INVALID_ARGUMENT naming exactly `fields`, and checks that no table changed. */
async function expectRefused(catalog: TestCatalog, call: () => Promise<unknown>, fields: string[]): Promise<void> {
  const before = await countAllRows(catalog.orm);
  const error = await failureOf(call());
  expect(error.code).to.equal(Code.InvalidArgument);
  expect(badFields(error)).to.deep.equal(fields);
  expect(await countAllRows(catalog.orm)).to.deep.equal(before);
}

describe("CatalogService.CreateEvent", () => {
  const catalog = useCatalog();
  let arenaId = "";
  let coachId = "";

  before(async () => {
    const token = await organizerToken();
    arenaId = (await catalog.client.createVenue({ venue: arena() }, { token })).venue?.id ?? "";
    coachId = (await catalog.client.createVenue({ venue: coach() }, { token })).venue?.id ?? "";
  });

  it("creates a draft event owned by the caller, showing its venue", async () => {
    const { event } = await catalog.client.createEvent({ event: concert(arenaId) }, { token: await organizerToken() });
    expect(event).to.include({
      organizerId: testUserIds.organizer,
      state: EventState.DRAFT,
      venueName: "Dhaka Arena",
      city: "Dhaka",
      capacity: 704,
    });
    expect(event?.holdPolicy).to.include({ maxSeatsPerUser: 8, maxExtensions: 1 });
  });

  it("creates a trip whose start and end are its first departure and last arrival, and whose city is its first stop's", async () => {
    const stops = route().map(({ id: _id, ...stop }) => stop);
    const fares = [{ boardingStopId: "stop-1", alightingStopId: "stop-4", price: { amountMinor: 150_000n } }];
    const { event } = await catalog.client.createEvent(
      { event: coachTrip(coachId, { stops, fares }) },
      { token: await organizerToken() },
    );
    expect(event?.stops.map((stop) => stop.id)).to.deep.equal(["stop-1", "stop-2", "stop-3", "stop-4"]);
    expect(timestampMs(event?.startTime ?? at(0))).to.equal(timestampMs(at(20)));
    expect(timestampMs(event?.endTime ?? at(0))).to.equal(timestampMs(at(20, 12)));
    expect(event?.city).to.equal("Dhaka");
    expect(event?.capacity).to.equal(40);
  });

  it("answers INVALID_ARGUMENT on event.title for an empty title, and writes nothing", async () => {
    const token = await organizerToken();
    await expectRefused(
      catalog,
      () => catalog.client.createEvent({ event: concert(arenaId, { title: "" }) }, { token }),
      ["event.title"],
    );
  });

  it("answers INVALID_ARGUMENT on the amount of a negative price, and writes nothing", async () => {
    const token = await organizerToken();
    const event = concert(arenaId);
    const priceTiers = [{ id: "floor", price: { amountMinor: -100n }, sectionIds: ["floor"] }];
    await expectRefused(
      catalog,
      () => catalog.client.createEvent({ event: { ...event, priceTiers } as never }, { token }),
      ["event.price_tiers[0].price.amount_minor"],
    );
  });

  it("answers INVALID_ARGUMENT on the stop out of time order, and writes nothing", async () => {
    const token = await organizerToken();
    const stops = route();
    stops[1] = { ...stops[1], departureTime: at(20, 2) } as (typeof stops)[number];
    await expectRefused(
      catalog,
      () => catalog.client.createEvent({ event: coachTrip(coachId, { stops }) }, { token }),
      ["event.stops[1].departure_time"],
    );
  });

  it("answers INVALID_ARGUMENT on event.venue_id for an unknown venue, and writes nothing", async () => {
    const token = await organizerToken();
    await expectRefused(catalog, () => catalog.client.createEvent({ event: concert(randomUUID()) }, { token }), [
      "event.venue_id",
    ]);
  });

  it("treats another organizer's venue as unknown", async () => {
    const token = await organizerToken(randomUUID());
    await expectRefused(catalog, () => catalog.client.createEvent({ event: concert(arenaId) }, { token }), [
      "event.venue_id",
    ]);
  });

  it("answers INVALID_ARGUMENT for a tier naming a section the venue does not have", async () => {
    const token = await organizerToken();
    const event = concert(arenaId);
    const priceTiers = [{ price: { amountMinor: 1n }, sectionIds: ["floor", "balcony"] }];
    await expectRefused(
      catalog,
      () => catalog.client.createEvent({ event: { ...event, priceTiers } as never }, { token }),
      ["event.price_tiers[0].section_ids[1]"],
    );
  });

  it("answers INVALID_ARGUMENT naming each bad field at once", async () => {
    const token = await organizerToken();
    await expectRefused(
      catalog,
      () =>
        catalog.client.createEvent(
          { event: concert(arenaId, { title: "", currencyCode: "taka", endTime: at(29), stops: route() }) },
          { token },
        ),
      ["event.title", "event.currency_code", "event.stops", "event.end_time"],
    );
  });
});
