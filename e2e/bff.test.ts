import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type CallOptions, type Client, Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { mintDevToken } from "@marquee/mesh";
import { badFields, codeOf, failureOf, waitFor } from "@marquee/mesh/testing";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  Category,
  EventKind,
  type EventSchema,
  EventState,
  type PriceTierSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { InventoryService, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { badRequestFields, postJson } from "./support/connect-json.js";
import { chattogramHall } from "./support/fixtures.js";
import { grpcurl } from "./support/grpcurl.js";
import { newTraceparent, spansOf } from "./support/trace-file.js";

const catalogPath = "marquee.catalog.v1.CatalogService";
const internalPath = "marquee.catalog.v1.CatalogInternalService";
const inventoryPath = "marquee.inventory.v1.InventoryService";
const day = 24 * 3600 * 1000;
/** OpenTelemetry's SpanKind.SERVER, as the trace file holds it. */
const serverKind = 1;

function bearer(token: string): CallOptions {
  return { headers: { authorization: `Bearer ${token}` } };
}

/** A concert at `venueId` a month from now, unpriced unless given price tiers. */
function concert(
  title: string,
  venueId: string,
  priceTiers: MessageInitShape<typeof PriceTierSchema>[] = [],
): MessageInitShape<typeof EventSchema> {
  const start = Date.now() + 30 * day;
  return {
    kind: EventKind.EVENT,
    category: Category.CONCERT,
    title,
    venueId,
    startTime: timestampFromMs(start),
    endTime: timestampFromMs(start + 3 * 3600 * 1000),
    currencyCode: "BDT",
    priceTiers,
  };
}

describe("the BFF in front of the real stack (npm start's launcher)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-${process.pid}`);
  // Apart from scripts' launcher test (10_000 + …), and every port of the manifests stays below 65536.
  const portOffset = 14_000 + (process.pid % 15) * 100;
  const traceFile = join(dataDir, "spans.jsonl");
  const inheritedTraceFile = process.env.MARQUEE_TRACE_FILE;

  let stack: Stack;
  let bffUrl: string;
  /** `host:port` of the BFF, for grpcurl. */
  let bffAddress: string;
  let otherOrganizer: string;
  let http2: Http2SessionManager;
  /** Connect protocol, JSON over HTTP/1.1: what a browser's connect-web client does. */
  let connect: Client<typeof CatalogService>;
  /** gRPC over HTTP/2, a generated client. */
  let grpc: Client<typeof CatalogService>;

  /** Mints an organizer token for a new user, signed with the stack's development key. */
  async function newOrganizer(): Promise<string> {
    const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
    return mintDevToken(signingKey, { sub: randomUUID(), roles: ["customer", "organizer"] });
  }

  /** Creates a venue and an unpriced draft concert there, as `token`'s organizer; returns both ids. */
  async function draft(token: string, title: string): Promise<{ venueId: string; eventId: string }> {
    const venue = await connect.createVenue(
      { venue: chattogramHall(`${title} hall`, { hasFloor: false }) },
      bearer(token),
    );
    const venueId = venue.venue?.id ?? "";
    const event = await connect.createEvent({ event: concert(title, venueId) }, bearer(token));
    return { venueId, eventId: event.event?.id ?? "" };
  }

  before(async () => {
    // Set before the stack starts, so every process it spawns inherits it and appends its spans there.
    process.env.MARQUEE_TRACE_FILE = traceFile;
    stack = await startStack({ dataDir, portOffset, logLevel: "warn" });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    bffUrl = stack.bffUrl;
    bffAddress = new URL(bffUrl).host;
    otherOrganizer = await newOrganizer();
    http2 = new Http2SessionManager(bffUrl);
    connect = createClient(CatalogService, createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" }));
    grpc = createClient(CatalogService, createGrpcTransport({ baseUrl: bffUrl, sessionManager: http2 }));
  });

  after(async () => {
    http2?.abort();
    await stack?.stop();
    if (inheritedTraceFile === undefined) delete process.env.MARQUEE_TRACE_FILE;
    else process.env.MARQUEE_TRACE_FILE = inheritedTraceFile;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lets an organizer create, price and publish an event that anyone then reads over Connect JSON, gRPC and grpcurl", async () => {
    const organizer = bearer(stack.tokens.organizer);
    const title = `Chittagong Jazz Night ${randomUUID().slice(0, 8)}`;
    const { eventId } = await draft(stack.tokens.organizer, title);
    await connect.updateEvent(
      {
        event: {
          id: eventId,
          priceTiers: [
            {
              id: "stalls",
              name: "Stalls",
              price: { currencyCode: "BDT", amountMinor: 150_000n },
              sectionIds: ["stalls"],
            },
          ],
        },
        updateMask: { paths: ["price_tiers"] },
      },
      organizer,
    );
    const published = await connect.publishEvent({ eventId }, organizer);
    expect(published.event?.state).to.equal(EventState.PUBLISHED);

    const viaFetch = await postJson(bffUrl, `${catalogPath}/GetEvent`, { eventId });
    expect(viaFetch.status).to.equal(200);
    const event = viaFetch.json?.event as {
      title: string;
      state: string;
      priceTiers: { price: { amountMinor: string } }[];
    };
    expect(event.title).to.equal(title);
    expect(event.state).to.equal("EVENT_STATE_PUBLISHED");
    expect(event.priceTiers[0]?.price.amountMinor).to.equal("150000");

    const viaGrpc = await grpc.getEvent({ eventId });
    expect(viaGrpc.event?.title).to.equal(title);
    expect(viaGrpc.event?.capacity).to.equal(20);

    const viaGrpcurl = await grpcurl([
      "-plaintext",
      "-d",
      JSON.stringify({ event_id: eventId }),
      bffAddress,
      `${catalogPath}/GetEvent`,
    ]);
    expect(viaGrpcurl.exitCode, viaGrpcurl.stderr).to.equal(0);
    const printed = JSON.parse(viaGrpcurl.stdout) as { event: { id: string; title: string; state: string } };
    expect(printed.event).to.include({ id: eventId, title, state: "EVENT_STATE_PUBLISHED" });
  });

  it("sells seats through the BFF: a hold by plain fetch reaches a gRPC watcher and a Connect watcher within a second", async () => {
    const organizer = bearer(stack.tokens.organizer);
    const { eventId } = await draft(stack.tokens.organizer, `Watched Night ${randomUUID().slice(0, 8)}`);
    const price = { currencyCode: "BDT", amountMinor: 90_000n };
    await connect.updateEvent(
      {
        event: { id: eventId, priceTiers: [{ id: "stalls", name: "Stalls", price, sectionIds: ["stalls"] }] },
        updateMask: { paths: ["price_tiers"] },
      },
      organizer,
    );
    await connect.publishEvent({ eventId }, organizer);

    const abort = new AbortController();
    const watch = { signal: abort.signal, timeoutMs: 60_000 };
    const viaGrpc = createClient(InventoryService, createGrpcTransport({ baseUrl: bffUrl, sessionManager: http2 }));
    const viaConnect = createClient(InventoryService, createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" }));
    const watchers = [viaGrpc, viaConnect].map((client) => {
      const seen: { seatId: string; state: SeatState; at: number }[] = [];
      let snapshot = false;
      const done = (async () => {
        try {
          for await (const message of client.watchAvailability({ eventId }, watch)) {
            snapshot ||= message.isSnapshot;
            for (const seat of message.seats) if (!message.isSnapshot) seen.push({ ...seat, at: Date.now() });
          }
        } catch {
          // Ended by abort() below.
        }
      })();
      return { seen, done, ready: () => snapshot };
    });
    try {
      await waitFor("both watchers' snapshots", () => watchers.every((w) => w.ready()), { timeoutMs: 20_000 });
      const buyer = bearer(stack.tokens.customer).headers as Record<string, string>;
      const heldAt = Date.now();
      const held = await postJson(bffUrl, `${inventoryPath}/HoldSeats`, { eventId, seatIds: ["stalls:A-3"] }, buyer);
      expect(held.status, JSON.stringify(held.json)).to.equal(200);
      expect((held.json?.hold as { seatIds: string[] } | undefined)?.seatIds).to.deep.equal(["stalls:A-3"]);
      for (const watcher of watchers) {
        const change = await waitFor(
          "the hold on a watcher",
          () => watcher.seen.find((s) => s.seatId === "stalls:A-3" && s.state === SeatState.HELD),
          { timeoutMs: 1000 },
        );
        expect(change.at - heldAt).to.be.lessThan(1000);
      }
      const other = await newOrganizer();
      const taken = await postJson(
        bffUrl,
        `${inventoryPath}/HoldSeats`,
        { eventId, seatIds: ["stalls:A-3"] },
        {
          authorization: `Bearer ${other}`,
        },
      );
      expect(taken.json?.code).to.equal("failed_precondition");
      expect(String(taken.json?.message)).to.include("seat:stalls:A-3");
    } finally {
      abort.abort();
      await Promise.all(watchers.map((w) => w.done));
    }
  });

  it("sells a 30-stop train per leg through the BFF: one seat for two riders on disjoint rides, an overlapping ride refused", async () => {
    const organizer = bearer(stack.tokens.organizer);
    const venue = await connect.createVenue(
      { venue: chattogramHall("Padma Express coach", { hasFloor: false }) },
      organizer,
    );
    const halts = Array.from({ length: 30 }, (_, i) => `halt-${i}`);
    const depart = Math.floor((Date.now() + 20 * day) / 60_000) * 60_000;
    const at = (hours: number) => timestampFromMs(depart + hours * 3_600_000);
    const draftTrip = await connect.createEvent(
      {
        event: {
          kind: EventKind.TRIP,
          category: Category.TRAIN,
          title: `Padma Express ${randomUUID().slice(0, 8)}`,
          venueId: venue.venue?.id ?? "",
          currencyCode: "BDT",
          stops: halts.map((id, i) => ({
            id,
            name: `Halt ${i}`,
            city: `Town ${i}`,
            ...(i > 0 ? { arrivalTime: at(i) } : {}),
            ...(i < halts.length - 1 ? { departureTime: at(i + 1 / 6) } : {}),
          })),
          fares: halts.slice(0, -1).map((id, leg) => ({
            boardingStopId: id,
            alightingStopId: halts[leg + 1] ?? "",
            price: { currencyCode: "BDT", amountMinor: 5_000n },
          })),
        },
      },
      organizer,
    );
    const tripId = draftTrip.event?.id ?? "";
    expect((await connect.publishEvent({ eventId: tripId }, organizer)).event?.stops).to.have.length(30);

    const inventory = createClient(InventoryService, createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" }));
    const ride = (from: number, to: number) => ({
      boardingStopId: halts[from] ?? "",
      alightingStopId: halts[to] ?? "",
    });
    const hold = async (from: number, to: number) =>
      inventory.holdSeats(
        { eventId: tripId, ride: ride(from, to), seatIds: ["stalls:A-1"] },
        bearer(await newOrganizer()),
      );
    expect((await hold(0, 12)).hold?.ride).to.deep.include(ride(0, 12));
    expect((await hold(12, 29)).hold?.ride).to.deep.include(ride(12, 29));
    const across = await failureOf(hold(10, 14));
    expect(across.code).to.equal(Code.FailedPrecondition);
    expect(across.rawMessage).to.include("seat:stalls:A-1");

    const seatOn = async (from: number, to: number) => {
      const answer = await inventory.getAvailability({ eventId: tripId, ride: ride(from, to), includeSeats: true });
      return answer.seats.find((seat) => seat.seatId === "stalls:A-1")?.state;
    };
    expect(await seatOn(28, 29), "the last leg, leg 28").to.equal(SeatState.HELD);
    expect(await seatOn(5, 6)).to.equal(SeatState.HELD);
    const free = await inventory.getAvailability({ eventId: tripId, ride: ride(5, 6), includeSeats: true });
    expect(free.seats.find((seat) => seat.seatId === "stalls:A-2")?.state).to.equal(SeatState.AVAILABLE);
  });

  it("continues the caller's trace through the BFF into catalog: both spans carry the caller's trace id", async () => {
    const trace = newTraceparent();
    const answer = await postJson(bffUrl, `${catalogPath}/ListEvents`, { pageSize: 1 }, { traceparent: trace.header });
    expect(answer.status).to.equal(200);

    const spans = await waitFor(
      "spans of bff and catalog in the trace file",
      () => {
        const found = spansOf(traceFile, trace.traceId);
        const services = new Set(found.map((span) => span.service));
        return services.has("bff") && services.has("catalog") && found;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const bffServer = spans.find((span) => span.service === "bff" && span.kind === serverKind);
    expect(bffServer?.parentSpanId, "the BFF's span is a child of the caller's").to.equal(trace.spanId);
    const bffSpanIds = new Set(spans.filter((span) => span.service === "bff").map((span) => span.spanId));
    const catalogServer = spans.find((span) => span.service === "catalog" && span.kind === serverKind);
    expect(catalogServer, "catalog's server span").not.to.equal(undefined);
    expect(
      bffSpanIds.has(catalogServer?.parentSpanId ?? ""),
      "catalog's server span is a child of a BFF span",
    ).to.equal(true);
  });

  it("refuses a bad CreateEvent with INVALID_ARGUMENT naming each bad field, by every protocol, and writes nothing", async () => {
    const organizer = await newOrganizer();
    const { venueId } = await draft(organizer, "Baseline");
    const countEvents = async () => (await connect.listMyEvents({ pageSize: 200 }, bearer(organizer))).events.length;
    expect(await countEvents()).to.equal(1);

    const badEvent = concert("", venueId, [
      { id: "stalls", name: "Stalls", price: { currencyCode: "BDT", amountMinor: -100n }, sectionIds: ["stalls"] },
    ]);
    const expectedFields = ["event.title", "event.price_tiers[0].price.amount_minor"];

    const viaFetch = await postJson(
      bffUrl,
      `${catalogPath}/CreateEvent`,
      {
        event: {
          kind: "EVENT_KIND_EVENT",
          category: "CATEGORY_CONCERT",
          title: "",
          venueId,
          startTime: new Date(Date.now() + 30 * day).toISOString(),
          endTime: new Date(Date.now() + 31 * day).toISOString(),
          currencyCode: "BDT",
          priceTiers: [
            {
              id: "stalls",
              name: "Stalls",
              price: { currencyCode: "BDT", amountMinor: "-100" },
              sectionIds: ["stalls"],
            },
          ],
        },
      },
      { authorization: `Bearer ${organizer}` },
    );
    expect(viaFetch.status).to.equal(400);
    expect(viaFetch.json?.code).to.equal("invalid_argument");
    expect(badRequestFields(viaFetch.json)).to.include.members(expectedFields);

    for (const client of [connect, grpc]) {
      const error = await failureOf(client.createEvent({ event: badEvent }, bearer(organizer)));
      expect(error.code).to.equal(Code.InvalidArgument);
      expect(badFields(error)).to.include.members(expectedFields);
    }

    const viaGrpcurl = await grpcurl([
      "-plaintext",
      "-H",
      `authorization: Bearer ${organizer}`,
      "-d",
      JSON.stringify({
        event: {
          kind: "EVENT_KIND_EVENT",
          category: "CATEGORY_CONCERT",
          title: "",
          venue_id: venueId,
          currency_code: "BDT",
          price_tiers: [
            { name: "Stalls", price: { currency_code: "BDT", amount_minor: "-100" }, section_ids: ["stalls"] },
          ],
        },
      }),
      bffAddress,
      `${catalogPath}/CreateEvent`,
    ]);
    expect(viaGrpcurl.exitCode).to.equal(64 + Code.InvalidArgument);
    const printed = viaGrpcurl.stdout + viaGrpcurl.stderr;
    expect(printed).to.include("InvalidArgument").and.include("google.rpc.BadRequest");
    for (const field of expectedFields) expect(printed).to.include(field);

    expect(await countEvents(), "no event was written").to.equal(1);
  });

  it("answers UNAUTHENTICATED to anonymous, PERMISSION_DENIED to a customer and NOT_FOUND to another organizer on a draft", async () => {
    const { eventId } = await draft(stack.tokens.organizer, "Private rehearsal");

    expect(await codeOf(connect.publishEvent({ eventId }))).to.equal(Code.Unauthenticated);
    expect(await codeOf(connect.publishEvent({ eventId }, bearer(stack.tokens.customer)))).to.equal(
      Code.PermissionDenied,
    );
    expect(await codeOf(connect.publishEvent({ eventId }, bearer(otherOrganizer)))).to.equal(Code.NotFound);
    expect(await codeOf(connect.getEvent({ eventId }, bearer(otherOrganizer)))).to.equal(Code.NotFound);

    const owned = await connect.getEvent({ eventId }, bearer(stack.tokens.organizer));
    expect(owned.event?.state, "the draft is untouched").to.equal(EventState.DRAFT);
  });

  it("never routes or lists an internal RPC, by any protocol, even for an admin", async () => {
    const [published] = (await connect.listEvents({ pageSize: 1 })).events;
    const eventId = published?.id ?? "";
    expect(eventId, "a published demo event").not.to.equal("");
    const admin = `Bearer ${stack.tokens.admin}`;

    const viaFetch = await postJson(bffUrl, `${internalPath}/GetHoldPolicy`, { eventId }, { authorization: admin });
    expect(viaFetch.status === 404 || viaFetch.json?.code === "unimplemented", `answered ${viaFetch.status}`).to.equal(
      true,
    );

    const internal = createClient(
      CatalogInternalService,
      createGrpcTransport({ baseUrl: bffUrl, sessionManager: http2 }),
    );
    expect(await codeOf(internal.getHoldPolicy({ eventId }, bearer(stack.tokens.admin)))).to.equal(Code.Unimplemented);

    const call = ["-plaintext", "-H", `authorization: ${admin}`, "-d", JSON.stringify({ event_id: eventId })];
    // By reflection grpcurl cannot even find the service; with the contract's descriptors it sends the call.
    const byReflection = await grpcurl([...call, bffAddress, `${internalPath}/GetHoldPolicy`]);
    expect(byReflection.exitCode).not.to.equal(0);
    expect(byReflection.stderr).to.include(internalPath);
    const byContract = await grpcurl([
      ...call,
      "-protoset",
      join(repoRoot, "proto", "contract.binpb"),
      bffAddress,
      `${internalPath}/GetHoldPolicy`,
    ]);
    // Unrouted, so UNIMPLEMENTED, as a gRPC server says it — also to Go clients (grpcurl exits 64 + code).
    expect(byContract.exitCode, byContract.stderr).to.equal(64 + Code.Unimplemented);
    expect(byContract.stdout).to.equal("");

    const list = await grpcurl(["-plaintext", bffAddress, "list"]);
    expect(list.exitCode, list.stderr).to.equal(0);
    expect(list.stdout.split("\n")).to.include(catalogPath).and.not.include(internalPath);
    expect(list.stdout).not.to.include("Internal");
    const described = await grpcurl(["-plaintext", bffAddress, "describe", internalPath]);
    expect(described.exitCode).not.to.equal(0);
  });

  it("refuses an oversized request and a malformed JSON body, and keeps serving", async () => {
    const oversized = "x".repeat(1024 * 1024 + 1024); // MAX_REQUEST_BYTES is 1 MiB
    const tooBig = await postJson(bffUrl, `${catalogPath}/ListEvents`, { city: oversized });
    expect([413, 429]).to.include(tooBig.status);
    expect(tooBig.json?.code).to.equal("resource_exhausted");
    expect(await codeOf(grpc.listEvents({ city: oversized }))).to.equal(Code.ResourceExhausted);

    const malformed = await postJson(bffUrl, `${catalogPath}/ListEvents`, '{"pageSize": 1,');
    expect(malformed.status).to.equal(400);
    expect(malformed.json?.code).to.equal("invalid_argument");

    const after = await postJson(bffUrl, `${catalogPath}/ListEvents`, { pageSize: 5 });
    expect(after.status).to.equal(200);
    expect(after.json?.events).to.be.an("array").that.is.not.empty;
    expect((await grpc.listEvents({ pageSize: 5 })).events).not.to.be.empty;
  });

  it("rate limits holds as the launcher starts it (10 a second per user): a burst is refused 429 with Retry-After and RetryInfo while another buyer at the same moment is unaffected", async () => {
    const [buyer, other] = [await newOrganizer(), await newOrganizer()];
    const hold = async (token: string) => {
      const response = await fetch(`${bffUrl}/${inventoryPath}/HoldSeats`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        // An event nobody published: each call that passes the limit costs inventory one lookup.
        body: JSON.stringify({ eventId: randomUUID(), seatIds: ["stalls:A-1"] }),
      });
      const json = (await response.json()) as { code?: string; details?: { type: string }[] };
      return { status: response.status, retryAfter: response.headers.get("retry-after"), json };
    };
    const answers = await Promise.all([
      ...Array.from({ length: 25 }, () => hold(buyer)),
      ...Array.from({ length: 5 }, () => hold(other)),
    ]);
    const burst = answers.slice(0, 25);
    const refused = burst.filter((answer) => answer.status === 429);
    expect(burst.length - refused.length, "the burst of 10, and what refilled meanwhile").to.be.at.least(10);
    expect(refused.length, "refused").to.be.at.least(5);
    for (const answer of refused) {
      expect(answer.json.code).to.equal("resource_exhausted");
      expect(answer.json.details?.map((detail) => detail.type)).to.deep.equal(["google.rpc.RetryInfo"]);
      // A token every 100 ms: retry within the second.
      expect(answer.retryAfter).to.equal("1");
    }
    expect(
      answers.slice(25).map((answer) => answer.json.code),
      "the other buyer's holds reach inventory",
    ).to.deep.equal(Array(5).fill("not_found"));
  });
});
