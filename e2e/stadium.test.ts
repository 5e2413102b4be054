import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type DescMessage, type MessageShape, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type CallOptions, type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { mintDevToken } from "@marquee/mesh";
import { waitFor } from "@marquee/mesh/testing";
import {
  CatalogService,
  CreateVenueResponseSchema,
  GetSeatMapResponseSchema,
  ListSeatsResponseSchema,
  ListVenueSeatsResponseSchema,
  PublishEventResponseSchema,
} from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { Category, EventKind, EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import {
  GetAvailabilityResponseSchema,
  HoldSeatsResponseSchema,
  InventoryService,
  SeatState,
  WatchAvailabilityResponseSchema,
} from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";

/** 20 stands of 50 rows (A … AX) of 100 seats: 100,000 seats, the most a venue may have. */
const standCount = 20;
const rowsPerStand = 50;
const seatsPerRow = 100;
const seatCount = standCount * rowsPerStand * seatsPerRow;
const standIds = Array.from({ length: standCount }, (_, i) => `stand-${String(i + 1).padStart(2, "0")}`);

/** What every message must stay under: the 4 MiB gRPC limit between the BFF and the services, JSON or binary. */
const messageLimit = 4 * 1024 * 1024;
const day = 24 * 3600 * 1000;

function bearer(token: string, timeoutMs = 60_000): CallOptions {
  return { headers: { authorization: `Bearer ${token}` }, timeoutMs };
}

/**
 * Issue #20: a 100,000-seat stadium end to end through the BFF, over Connect JSON as a browser calls it —
 * created, listed, published, held, read and watched, no message of it near the 4 MiB limit. The steps run
 * in order on one stadium; each reports its own time.
 */
describe("a 100,000-seat stadium through the BFF (issue #20)", function () {
  this.timeout(600_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-stadium-${process.pid}`);
  // Offsets ending in 75, apart from bff.test.ts (…00), canonical-ids (…25), the race (…50), the launcher
  // test (10_000 – 13_900) and the bench (15_460); the highest, 50054 + 15_475, stays below 65536.
  const portOffset = 14_075 + (process.pid % 15) * 100;

  let stack: Stack;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  let organizer: CallOptions;
  let venueId = "";
  let eventId = "";
  /** The seats the customer holds, in several stands. */
  const held = ["stand-01:A-1", "stand-01:A-2", "stand-07:Y-50", "stand-13:AX-100", "stand-20:AX-99"];
  /** The largest message seen, by RPC: binary and JSON sizes. */
  const largest = new Map<string, { binary: number; json: number }>();

  /** Records a message's encoded sizes and checks they stay well under the limit; returns the message. */
  function sized<Desc extends DescMessage>(rpc: string, schema: Desc, message: MessageShape<Desc>): MessageShape<Desc> {
    const binary = toBinary(schema, message).length;
    const json = Buffer.byteLength(toJsonString(schema, message));
    expect(binary, `${rpc}: binary bytes`).to.be.below(messageLimit);
    expect(json, `${rpc}: JSON bytes`).to.be.below(messageLimit);
    const seen = largest.get(rpc);
    largest.set(rpc, { binary: Math.max(binary, seen?.binary ?? 0), json: Math.max(json, seen?.json ?? 0) });
    return message;
  }

  async function newCustomer(): Promise<string> {
    const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
    return mintDevToken(signingKey, { sub: randomUUID(), roles: ["customer"] });
  }

  before(async () => {
    stack = await startStack({ dataDir, portOffset, logLevel: "warn" });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    const transport = createConnectTransport({ baseUrl: stack.bffUrl, httpVersion: "1.1" });
    catalog = createClient(CatalogService, transport);
    inventory = createClient(InventoryService, transport);
    organizer = bearer(stack.tokens.organizer);
  });

  after(async () => {
    if (largest.size > 0) {
      const lines = [...largest].map(([rpc, { binary, json }]) => `${rpc} ${binary} B binary, ${json} B JSON`);
      console.log(`      largest messages: ${lines.join("; ")}`);
    }
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates the stadium from generators in one small request, answered with its sections and without its seats", async () => {
    const answer = sized(
      "CreateVenue",
      CreateVenueResponseSchema,
      await catalog.createVenue(
        {
          venue: {
            name: `Bangabandhu National Stadium ${randomUUID().slice(0, 8)}`,
            city: "Dhaka",
            countryCode: "BD",
            timeZone: "Asia/Dhaka",
            sections: standIds.map((id, i) => ({
              id,
              name: `Stand ${i + 1}`,
              layout: {
                case: "seated",
                value: {
                  generator: {
                    rowCount: rowsPerStand,
                    seatsPerRow,
                    firstRowLabel: "A",
                    seatClass: "standard",
                    originX: (i % 5) * (seatsPerRow + 4),
                    originY: Math.floor(i / 5) * (rowsPerStand + 4),
                  },
                },
              },
            })),
          },
        },
        organizer,
      ),
    );
    const venue = answer.venue;
    venueId = venue?.id ?? "";
    expect(venue?.capacity).to.equal(seatCount);
    expect(venue?.sections.map((section) => [section.id, section.capacity])).to.deep.equal(
      standIds.map((id) => [id, rowsPerStand * seatsPerRow]),
    );
    const rows = venue?.sections.flatMap((section) =>
      section.layout.case === "seated" ? section.layout.value.rows : [],
    );
    expect(rows, "no seat rows in the answer").to.deep.equal([]);
    expect(venue?.sections[6]).to.include({ minX: 104, minY: 54, maxX: 203, maxY: 103 });
    expect(toBinary(CreateVenueResponseSchema, answer).length, "a few kilobytes").to.be.below(16 * 1024);
  });

  it("lists the stadium's 100,000 seats page by page with ListVenueSeats, each once", async () => {
    const ids = new Set<string>();
    let pages = 0;
    let pageToken = "";
    do {
      const page = sized(
        "ListVenueSeats",
        ListVenueSeatsResponseSchema,
        await catalog.listVenueSeats({ venueId, pageSize: 5000, pageToken }, organizer),
      );
      for (const seat of page.seats) ids.add(seat.id);
      pages++;
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(pages).to.equal(seatCount / 5000);
    expect(ids.size, "distinct seats").to.equal(seatCount);
    expect(ids.has("stand-20:AX-100")).to.equal(true);
  });

  it("creates and publishes a concert on it", async () => {
    const start = Date.now() + 30 * day;
    const draft = await catalog.createEvent(
      {
        event: {
          kind: EventKind.EVENT,
          category: Category.SPORTS,
          title: `Bangladesh v India ${randomUUID().slice(0, 8)}`,
          venueId,
          startTime: timestampFromMs(start),
          endTime: timestampFromMs(start + 8 * 3600 * 1000),
          currencyCode: "BDT",
          priceTiers: [
            {
              id: "stands",
              name: "Stands",
              price: { currencyCode: "BDT", amountMinor: 50_000n },
              sectionIds: standIds,
            },
          ],
        },
      },
      organizer,
    );
    eventId = draft.event?.id ?? "";
    const published = sized(
      "PublishEvent",
      PublishEventResponseSchema,
      await catalog.publishEvent({ eventId }, organizer),
    );
    expect(published.event?.state).to.equal(EventState.PUBLISHED);
    expect(published.event?.capacity).to.equal(seatCount);
  });

  it("shows every stand on GetSeatMap", async () => {
    const map = sized("GetSeatMap", GetSeatMapResponseSchema, await catalog.getSeatMap({ eventId }));
    expect(map.capacity).to.equal(seatCount);
    expect(map.sections.map((section) => [section.id, section.capacity, section.priceTierId])).to.deep.equal(
      standIds.map((id) => [id, rowsPerStand * seatsPerRow, "stands"]),
    );
  });

  it("lists the event's 100,000 seats page by page with ListSeats, each once, indexed 0 to 99,999", async () => {
    const ids = new Set<string>();
    let outOfOrder = 0;
    let pageToken = "";
    do {
      const page = sized(
        "ListSeats",
        ListSeatsResponseSchema,
        await catalog.listSeats({ eventId, pageSize: 5000, pageToken }, bearer(stack.tokens.customer)),
      );
      for (const seat of page.seats) {
        if (seat.index !== ids.size) outOfOrder++;
        ids.add(seat.id);
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(outOfOrder, "seats not at their index").to.equal(0);
    expect(ids.size).to.equal(seatCount);
  });

  it("lets a customer hold seats in several stands", async () => {
    const answer = sized(
      "HoldSeats",
      HoldSeatsResponseSchema,
      await inventory.holdSeats({ eventId, seatIds: held }, bearer(stack.tokens.customer)),
    );
    expect(answer.hold?.seatIds).to.have.members(held);
  });

  it("pages through the 100,000 seat states with GetAvailability, the held ones among them, the counts whole on every page", async () => {
    const states = new Map<string, SeatState>();
    let repeats = 0;
    let pages = 0;
    let pageToken = "";
    do {
      const page = sized(
        "GetAvailability",
        GetAvailabilityResponseSchema,
        await inventory.getAvailability({ eventId, includeSeats: true, pageSize: 20_000, pageToken }),
      );
      for (const seat of page.seats) {
        if (states.has(seat.seatId)) repeats++;
        states.set(seat.seatId, seat.state);
      }
      expect(page.sections).to.have.length(standCount);
      expect(page.sections.reduce((sum, section) => sum + section.held, 0)).to.equal(held.length);
      pages++;
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(pages).to.equal(seatCount / 20_000);
    expect(repeats, "seats listed twice").to.equal(0);
    expect(states.size).to.equal(seatCount);
    const heldSeats = [...states].filter(([, state]) => state === SeatState.HELD).map(([seatId]) => seatId);
    expect(heldSeats).to.have.members(held);
    expect([...states.values()].filter((state) => state === SeatState.AVAILABLE)).to.have.length(
      seatCount - held.length,
    );
  });

  it("streams a WatchAvailability snapshot in batches summing to 100,000 seats, then the change of a new hold", async () => {
    const abort = new AbortController();
    const batches: number[] = [];
    const changes: { seatId: string; state: SeatState }[] = [];
    let snapshotSeats = 0;
    let isSnapshotDone = false;
    const watching = (async () => {
      try {
        const stream = inventory.watchAvailability({ eventId }, { signal: abort.signal, timeoutMs: 300_000 });
        for await (const message of stream) {
          sized("WatchAvailability", WatchAvailabilityResponseSchema, message);
          if (message.isSnapshot) {
            expect(batches, "one snapshot").to.deep.equal([]);
            expect(message.sections).to.have.length(standCount);
          }
          if (!isSnapshotDone) {
            batches.push(message.seats.length);
            snapshotSeats += message.seats.length;
            isSnapshotDone = snapshotSeats >= seatCount;
          } else {
            changes.push(...message.seats);
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    })();
    try {
      await waitFor("the whole snapshot", () => isSnapshotDone, { timeoutMs: 60_000 });
      expect(snapshotSeats).to.equal(seatCount);
      expect(batches).to.deep.equal([20_000, 20_000, 20_000, 20_000, 20_000]);
      const newHold = ["stand-10:M-42", "stand-11:M-42"];
      await inventory.holdSeats({ eventId, seatIds: newHold }, bearer(await newCustomer()));
      const seen = await waitFor(
        "the new hold on the watcher",
        () => {
          const changed = changes.filter((change) => change.state === SeatState.HELD).map((change) => change.seatId);
          return newHold.every((seatId) => changed.includes(seatId)) && changed;
        },
        { timeoutMs: 5_000 },
      );
      expect(seen).to.have.members(newHold);
    } finally {
      abort.abort();
      await watching;
    }
  });
});
