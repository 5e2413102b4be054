import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { borderStops, borderTrip, letteredCoach } from "@marquee/catalog/testing";
import { createClient as createMeshClient, type MeshClient, mintDevToken } from "@marquee/mesh";
import { badFields, failureOf } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { EventSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { HoldState, InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { Redis } from "ioredis";
import { badRequestFields, type JsonAnswer, postJson } from "./support/connect-json.js";
import { bearer, chattogramConcert, chattogramHall } from "./support/fixtures.js";

/**
 * Issue #20, "Ids are not canonical", tried as the attacker did: every id the platform compares has one
 * spelling, the lower-case one the platform itself writes, and any other is refused before it reaches a
 * key or a lookup — so no spelling of an id can name a second seat state, a second cap or a second user.
 */

const inventoryPath = "marquee.inventory.v1.InventoryService";
const catalogPath = "marquee.catalog.v1.CatalogService";

type EventInit = MessageInitShape<typeof EventSchema>;

/** The hall every test here creates: its floor is what the general-admission tests hold places of. */
const hall = chattogramHall("Canonical hall");

/** A concert in the hall with the per-user cap, holds of ten minutes extendable twice. */
function concert(venueId: string, maxSeatsPerUser: number): EventInit {
  return chattogramConcert(`Canonical night ${randomUUID().slice(0, 8)}`, venueId, {
    maxSeatsPerUser,
    holdDuration: { seconds: 600n },
    maxExtensions: 2,
  });
}

/** The spellings of an id the platform must refuse: upper case, and upper case but for the first letter. */
function otherSpellings(id: string): string[] {
  const upper = id.toUpperCase();
  const mixed = id.replace(/[a-f]/, (letter) => letter.toUpperCase());
  return [upper, mixed].filter((spelling) => spelling !== id);
}

/** Asserts a Connect JSON answer is INVALID_ARGUMENT with a BadRequest naming `field`. */
function expectInvalid(answer: JsonAnswer, field: string): void {
  expect(answer.json?.code, JSON.stringify(answer.json)).to.equal("invalid_argument");
  expect(answer.status).to.equal(400);
  expect(badRequestFields(answer.json)).to.include(field);
}

describe("one spelling per id: every id kind is refused in any form but the canonical one, through the BFF (issue #20)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-canonical-${process.pid}`);
  // Offsets ending in 25 never give a port that the launcher test's (10_000 + …), bff.test.ts's
  // (14_000 + …), inventory-race.test.ts's (14_050 + …) or the bench's (15_460) stacks use, and the
  // highest service port, 50054 + 15_425, stays below 65536.
  const portOffset = 14_025 + (process.pid % 15) * 100;

  let stack: Stack;
  let bffUrl: string;
  let redis: Redis;
  let signingKey: Parameters<typeof mintDevToken>[0];
  let organizer: string;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  /** InventoryInternalService on the inventory's own gRPC port, as the ordering saga calls it: the BFF never routes it. */
  let internal: MeshClient<typeof InventoryInternalService>;

  function auth(token: string): Record<string, string> {
    return { authorization: `Bearer ${token}` };
  }

  /** A new user, `sub` a fresh canonical UUID, and its customer token. */
  async function newBuyer(): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    return { id, token: await mintDevToken(signingKey, { sub: id, roles: ["customer"] }) };
  }

  /** Creates the hall and a concert there with the per-user cap, and publishes it. */
  async function publishedConcert(maxSeatsPerUser: number): Promise<{ venueId: string; eventId: string }> {
    const venue = await catalog.createVenue({ venue: hall }, bearer(organizer));
    const venueId = venue.venue?.id ?? "";
    const draft = await catalog.createEvent({ event: concert(venueId, maxSeatsPerUser) }, bearer(organizer));
    const eventId = draft.event?.id ?? "";
    await catalog.publishEvent({ eventId }, bearer(organizer));
    return { venueId, eventId };
  }

  function holdSeats(body: unknown, token: string): Promise<JsonAnswer> {
    return postJson(bffUrl, `${inventoryPath}/HoldSeats`, body, auth(token));
  }

  /** Every Redis key under the hash tag of `eventId` as spelled: the event's seat state, holds and orders. */
  function keysOf(eventId: string): Promise<string[]> {
    return redis.keys(`{ev:${eventId}}*`);
  }

  async function sectionCounts(eventId: string, sectionId: string) {
    const { sections } = await inventory.getAvailability({ eventId });
    const section = sections.find((s) => s.sectionId === sectionId);
    return { available: section?.available, held: section?.held, sold: section?.sold };
  }

  before(async () => {
    stack = await startStack({ dataDir, portOffset, logLevel: "warn" });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    bffUrl = stack.bffUrl;
    const inventoryService = stack.services.find((service) => service.name === "inventory");
    if (inventoryService === undefined) throw new Error("the stack started without inventory");
    signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
    organizer = await mintDevToken(signingKey, { sub: randomUUID(), roles: ["customer", "organizer"] });
    redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
    catalog = createClient(CatalogService, createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" }));
    inventory = createClient(InventoryService, createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" }));
    // The ordering saga's identity: a service token, no roles.
    const serviceToken = await mintDevToken(signingKey, { sub: "svc:ordering" });
    internal = createMeshClient(InventoryInternalService, {
      address: inventoryService.address,
      timeoutMs: 30_000,
      serviceToken: async () => serviceToken,
    });
  });

  after(async () => {
    internal?.close();
    redis?.disconnect();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("event id: HoldSeats, GetAvailability and GetEvent with the event id in another case are INVALID_ARGUMENT naming event_id, and Redis keeps no second seat state", async () => {
    const { eventId } = await publishedConcert(8);
    const [first, second, third] = [await newBuyer(), await newBuyer(), await newBuyer()];
    const held = await holdSeats({ eventId, seatIds: ["stalls:A-1"] }, first.token);
    expect(held.status, JSON.stringify(held.json)).to.equal(200);

    for (const [spelling, buyer] of otherSpellings(eventId).map((s, i) => [s, [second, third][i]] as const)) {
      expectInvalid(await holdSeats({ eventId: spelling, seatIds: ["stalls:A-1"] }, buyer?.token ?? ""), "event_id");
      expectInvalid(await postJson(bffUrl, `${inventoryPath}/GetAvailability`, { eventId: spelling }), "event_id");
      expectInvalid(await postJson(bffUrl, `${catalogPath}/GetEvent`, { eventId: spelling }), "event_id");
      expect(await keysOf(spelling), `Redis keys under {ev:${spelling}}`).to.deep.equal([]);
    }
    expect(await keysOf(eventId), "the one seat state").not.to.deep.equal([]);
    expect(await sectionCounts(eventId, "stalls")).to.deep.equal({ available: 19, held: 1, sold: 0 });
  });

  it("venue id: GetVenue and CreateEvent with the venue id in another case are INVALID_ARGUMENT naming the venue id, and write nothing", async () => {
    const owner = await mintDevToken(signingKey, { sub: randomUUID(), roles: ["customer", "organizer"] });
    const venue = await catalog.createVenue({ venue: hall }, bearer(owner));
    const venueId = venue.venue?.id ?? "";
    expect((await catalog.getVenue({ venueId }, bearer(owner))).venue?.id).to.equal(venueId);
    for (const spelling of otherSpellings(venueId)) {
      expectInvalid(await postJson(bffUrl, `${catalogPath}/GetVenue`, { venueId: spelling }, auth(owner)), "venue_id");
      const created = await failureOf(catalog.createEvent({ event: concert(spelling, 8) }, bearer(owner)));
      expect(created.code).to.equal(Code.InvalidArgument);
      expect(badFields(created)).to.include("event.venue_id");
    }
    expect((await catalog.listMyEvents({ pageSize: 10 }, bearer(owner))).events, "no event was written").to.deep.equal(
      [],
    );
  });

  it("per-user cap: one user cannot hold more than the cap of 8 through spellings of the event id or of their own id", async () => {
    const { eventId } = await publishedConcert(8);
    const buyer = await newBuyer();
    const eight = Array.from({ length: 8 }, (_, i) => `stalls:A-${i + 1}`);
    const held = await holdSeats({ eventId, seatIds: eight }, buyer.token);
    expect(held.status, JSON.stringify(held.json)).to.equal(200);

    const more = Array.from({ length: 8 }, (_, i) => `stalls:B-${i + 1}`);
    for (const spelling of otherSpellings(eventId)) {
      expectInvalid(await holdSeats({ eventId: spelling, seatIds: more }, buyer.token), "event_id");
    }
    for (const sub of otherSpellings(buyer.id)) {
      const sameUser = await mintDevToken(signingKey, { sub, roles: ["customer"] });
      const answer = await holdSeats({ eventId, seatIds: more }, sameUser);
      expect(answer.json?.code, JSON.stringify(answer.json)).to.equal("unauthenticated");
    }
    const ninth = await holdSeats({ eventId, seatIds: ["stalls:B-10"] }, buyer.token);
    expect(ninth.json?.code, JSON.stringify(ninth.json)).to.equal("resource_exhausted");
    expect(await sectionCounts(eventId, "stalls")).to.deep.equal({ available: 12, held: 8, sold: 0 });
  });

  it("section id (GA places): a differently-cased section is not a section, and a 50-place floor cannot be sold thrice through spellings of the event id", async () => {
    const { eventId } = await publishedConcert(100);
    const [first, second, third] = [await newBuyer(), await newBuyer(), await newBuyer()];
    for (const sectionId of ["FLOOR", "Floor"]) {
      expectInvalid(
        await holdSeats({ eventId, places: [{ sectionId, quantity: 1 }] }, first.token),
        "places[0].section_id",
      );
    }
    const all = await holdSeats({ eventId, places: [{ sectionId: "floor", quantity: 50 }] }, first.token);
    expect(all.status, JSON.stringify(all.json)).to.equal(200);
    for (const [spelling, buyer] of otherSpellings(eventId).map((s, i) => [s, [second, third][i]] as const)) {
      expectInvalid(
        await holdSeats({ eventId: spelling, places: [{ sectionId: "floor", quantity: 50 }] }, buyer?.token ?? ""),
        "event_id",
      );
      expect(await keysOf(spelling), `Redis keys under {ev:${spelling}}`).to.deep.equal([]);
    }
    const sold = await holdSeats({ eventId, places: [{ sectionId: "floor", quantity: 1 }] }, second.token);
    expect(sold.json?.code, JSON.stringify(sold.json)).to.equal("failed_precondition");
    expect(await sectionCounts(eventId, "floor")).to.deep.equal({ available: 0, held: 50, sold: 0 });
  });

  it("seat id: a seat id in another case is not a seat of the event, and a held seat cannot be held again under another spelling of its event", async () => {
    const { eventId } = await publishedConcert(8);
    const [holder, other] = [await newBuyer(), await newBuyer()];
    const held = await holdSeats({ eventId, seatIds: ["stalls:A-5"] }, holder.token);
    expect(held.status, JSON.stringify(held.json)).to.equal(200);
    for (const seatId of ["stalls:a-5", "STALLS:A-5", "Stalls:A-5"]) {
      expectInvalid(await holdSeats({ eventId, seatIds: [seatId] }, other.token), "seat_ids[0]");
    }
    expectInvalid(
      await holdSeats({ eventId: eventId.toUpperCase(), seatIds: ["stalls:A-5"] }, other.token),
      "event_id",
    );
    const taken = await holdSeats({ eventId, seatIds: ["stalls:A-5"] }, other.token);
    expect(taken.json?.code, JSON.stringify(taken.json)).to.equal("failed_precondition");
    expect(await sectionCounts(eventId, "stalls")).to.deep.equal({ available: 19, held: 1, sold: 0 });
  });

  it("stop id: a trip's stop ids are lower case when created, and a ride naming a stop in another case is INVALID_ARGUMENT", async () => {
    const coach = await catalog.createVenue({ venue: letteredCoach("Canonical coach") }, bearer(organizer));
    const venueId = coach.venue?.id ?? "";
    const trip = borderTrip(venueId);
    for (const id of ["Dhaka", "DHAKA"]) {
      const stops = (trip.stops ?? []).map((stop, i) => (i === 0 ? { ...stop, id } : stop));
      const fares = (trip.fares ?? []).map((fare, i) => (i === 0 ? { ...fare, boardingStopId: id } : fare));
      const refused = await failureOf(
        catalog.createEvent({ event: { ...trip, stops, fares } as EventInit }, bearer(organizer)),
      );
      expect(refused.code, refused.message).to.equal(Code.InvalidArgument);
      expect(badFields(refused)).to.include("event.stops[0].id");
    }
    const draft = await catalog.createEvent({ event: trip }, bearer(organizer));
    const eventId = draft.event?.id ?? "";
    await catalog.publishEvent({ eventId }, bearer(organizer));

    const rider = await newBuyer();
    const [boarding, alighting] = [borderStops[0], borderStops[4]];
    const ride = { boardingStopId: boarding.toUpperCase(), alightingStopId: alighting };
    expectInvalid(await holdSeats({ eventId, seatIds: ["cabin:1-A"], ride }, rider.token), "ride.boarding_stop_id");
    const capitalised = { boardingStopId: boarding, alightingStopId: "Kolkata" };
    expectInvalid(
      await holdSeats({ eventId, seatIds: ["cabin:1-A"], ride: capitalised }, rider.token),
      "ride.alighting_stop_id",
    );
    const held = await holdSeats(
      { eventId, seatIds: ["cabin:1-A"], ride: { boardingStopId: boarding, alightingStopId: alighting } },
      rider.token,
    );
    expect(held.status, JSON.stringify(held.json)).to.equal(200);
  });

  it("hold id: GetHold, ExtendHold and ReleaseHold with the hold id in another case are INVALID_ARGUMENT naming hold_id; a well-formed unknown one is NOT_FOUND", async () => {
    const { eventId } = await publishedConcert(8);
    const buyer = await newBuyer();
    const held = await inventory.holdSeats({ eventId, seatIds: ["stalls:B-2"] }, bearer(buyer.token));
    const holdId = held.hold?.id ?? "";
    expect(holdId.startsWith(`${eventId}.`), holdId).to.equal(true);

    const [eventPart, holdPart] = holdId.split(".") as [string, string];
    const spellings = [
      holdId.toUpperCase(),
      `${eventPart.toUpperCase()}.${holdPart}`,
      `${eventPart}.${holdPart.toUpperCase()}`,
    ];
    for (const spelling of [...spellings, "no-such-hold", eventPart, `${holdId}.${holdPart}`]) {
      for (const rpc of ["GetHold", "ExtendHold", "ReleaseHold"]) {
        const answer = await postJson(bffUrl, `${inventoryPath}/${rpc}`, { holdId: spelling }, auth(buyer.token));
        expectInvalid(answer, "hold_id");
      }
    }
    const unknown = await failureOf(inventory.getHold({ holdId: `${eventId}.${randomUUID()}` }, bearer(buyer.token)));
    expect(unknown.code).to.equal(Code.NotFound);

    const still = await inventory.getHold({ holdId }, bearer(buyer.token));
    expect(still.hold?.state, "the hold is untouched").to.equal(HoldState.ACTIVE);
    expect(still.hold?.extensionsLeft).to.equal(2);
    const released = await inventory.releaseHold({ holdId }, bearer(buyer.token));
    expect(released.hold?.state).to.equal(HoldState.RELEASED);
  });

  it("user id: a token whose subject is a user id in another case, or not a UUID at all, is UNAUTHENTICATED at the BFF", async () => {
    const { eventId } = await publishedConcert(8);
    const buyer = await newBuyer();
    const held = await inventory.holdSeats({ eventId, seatIds: ["stalls:A-9"] }, bearer(buyer.token));
    const holdId = held.hold?.id ?? "";
    const subjects = [...otherSpellings(buyer.id), "alice", `{${buyer.id}}`, `client:${buyer.id.toUpperCase()}`];
    for (const sub of subjects) {
      const roles = sub.startsWith("client:") ? undefined : ["customer"];
      const token = await mintDevToken(signingKey, { sub, ...(roles ? { roles } : { scopes: ["inventory.hold"] }) });
      const hold = await holdSeats({ eventId, seatIds: ["stalls:A-10"] }, token);
      expect(hold.json?.code, `${sub}: ${JSON.stringify(hold.json)}`).to.equal("unauthenticated");
      const get = await postJson(bffUrl, `${inventoryPath}/GetHold`, { holdId }, auth(token));
      expect(get.json?.code, `${sub}: ${JSON.stringify(get.json)}`).to.equal("unauthenticated");
    }
    expect(await sectionCounts(eventId, "stalls")).to.deep.equal({ available: 19, held: 1, sold: 0 });
  });

  it("order id (InventoryInternalService on the inventory's gRPC port, which the BFF does not route): CommitHold and ReleaseSold refuse an order id that is not a canonical UUID", async () => {
    const { eventId } = await publishedConcert(8);
    const buyer = await newBuyer();
    const held = await inventory.holdSeats({ eventId, seatIds: ["stalls:A-7", "stalls:A-8"] }, bearer(buyer.token));
    const holdId = held.hold?.id ?? "";
    const orderId = randomUUID();

    for (const spelling of [...otherSpellings(orderId), "order-1", `${orderId} `]) {
      const refused = await failureOf(internal.commitHold({ holdId, orderId: spelling }));
      expect(refused.code, refused.message).to.equal(Code.InvalidArgument);
      expect(badFields(refused)).to.deep.equal(["order_id"]);
    }
    const wrongHold = await failureOf(internal.commitHold({ holdId: holdId.toUpperCase(), orderId }));
    expect(badFields(wrongHold)).to.deep.equal(["hold_id"]);
    expect(await sectionCounts(eventId, "stalls"), "nothing sold yet").to.deep.equal({
      available: 18,
      held: 2,
      sold: 0,
    });

    const committed = await internal.commitHold({ holdId, orderId });
    expect(committed.hold?.state).to.equal(HoldState.COMMITTED);
    expect(committed.hold?.orderId).to.equal(orderId);

    for (const spelling of otherSpellings(orderId)) {
      const refused = await failureOf(internal.releaseSold({ eventId, orderId: spelling }));
      expect(refused.code, refused.message).to.equal(Code.InvalidArgument);
      expect(badFields(refused)).to.deep.equal(["order_id"]);
      expect(await keysOf(eventId).then((keys) => keys.filter((key) => key.includes(spelling)))).to.deep.equal([]);
    }
    const released = await internal.releaseSold({ eventId, orderId });
    expect([...released.releasedSeatIds].sort()).to.deep.equal(["stalls:A-7", "stalls:A-8"]);
    expect(await sectionCounts(eventId, "stalls")).to.deep.equal({ available: 20, held: 0, sold: 0 });
  });
});
