import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { MeshClient } from "@marquee/mesh";
import type { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { EventKind, EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { type SeatInput, Seating } from "../domain/seating.js";

/** What the cache keeps per event: the seating and the seats it was built from, to rebuild on a policy change. */
interface Entry {
  readonly seating: Seating;
  readonly seats: readonly SeatInput[];
  readonly fetchedAtMs: number;
}

/** Options of {@link SeatingCache}. */
export interface SeatingCacheOptions {
  /**
   * After this long a cached seating is checked against catalog (its policy, sales window and state; the
   * seats again only when the map's version changed). Until the check answers, the cached one serves.
   * @default 15000
   */
  readonly revalidateAfterMs?: number;
  readonly now?: () => number;
}

/**
 * Every replica keeps the seatings it sells in memory: a hold must not wait on catalog, and a 100,000-seat
 * map is fetched once (streamed) rather than per request. Catalog's NOT_FOUND (unknown event, a draft)
 * propagates as is; concurrent misses on one event share one fetch.
 */
export class SeatingCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly revalidateAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly catalog: MeshClient<typeof CatalogInternalService>,
    options: SeatingCacheOptions = {},
  ) {
    this.revalidateAfterMs = options.revalidateAfterMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  /** The seating of a published (or cancelled) event; NOT_FOUND from catalog for anything else. */
  async get(eventId: string): Promise<Seating> {
    const cached = this.entries.get(eventId);
    if (cached === undefined) return (await this.fetch(eventId)).seating;
    if (this.now() - cached.fetchedAtMs > this.revalidateAfterMs) {
      // Stale-while-revalidate: a failed check keeps the cached seating and is tried again next time.
      this.fetch(eventId).catch(() => undefined);
    }
    return cached.seating;
  }

  /** Fetches the event again now, e.g. on EventPublished, EventUpdated or EventCancelled. */
  async refresh(eventId: string): Promise<Seating> {
    return (await this.fetch(eventId)).seating;
  }

  /** The events cached in this replica. */
  eventIds(): string[] {
    return [...this.entries.keys()];
  }

  private fetch(eventId: string): Promise<Entry> {
    let pending = this.inFlight.get(eventId);
    if (pending === undefined) {
      pending = this.load(eventId).finally(() => this.inFlight.delete(eventId));
      this.inFlight.set(eventId, pending);
    }
    return pending;
  }

  private async load(eventId: string): Promise<Entry> {
    const policy = await this.catalog.getHoldPolicy({ eventId });
    const cached = this.entries.get(eventId);
    const seats =
      cached !== undefined && cached.seating.version === policy.version ? cached.seats : await this.loadSeats(eventId);
    const holdPolicy = policy.holdPolicy;
    const seating = new Seating({
      eventId,
      version: policy.version,
      isTrip: policy.kind === EventKind.TRIP,
      isOnSale: policy.state === EventState.PUBLISHED,
      stopIds: policy.stopIds,
      policy: {
        maxSeatsPerUser: holdPolicy?.maxSeatsPerUser ?? 8,
        holdTtlMs: holdPolicy?.holdDuration
          ? Number(holdPolicy.holdDuration.seconds) * 1000 + Math.floor(holdPolicy.holdDuration.nanos / 1e6)
          : 600_000,
        extensions: holdPolicy?.maxExtensions ?? 1,
      },
      salesStartMs: policy.salesStartTime ? timestampMs(policy.salesStartTime) : 0,
      salesEndMs: policy.salesEndTime ? timestampMs(policy.salesEndTime) : Number.MAX_SAFE_INTEGER,
      seatedSectionIds: [...new Set(seats.map((seat) => seat.sectionId))],
      generalAdmission: policy.generalAdmission.map((area) => ({ sectionId: area.sectionId, capacity: area.capacity })),
      seats,
    });
    const entry = { seating, seats, fetchedAtMs: this.now() };
    this.entries.set(eventId, entry);
    return entry;
  }

  private async loadSeats(eventId: string): Promise<SeatInput[]> {
    const seats: SeatInput[] = [];
    for await (const batch of this.catalog.streamEventSeats({ eventId }, { timeoutMs: 120_000 })) {
      for (const seat of batch.seats) {
        seats.push({
          id: seat.id,
          index: seat.index,
          sectionId: seat.sectionId,
          rowLabel: seat.rowLabel,
          seatClass: seat.seatClass,
          priceTierId: seat.priceTierId,
        });
      }
    }
    return seats;
  }
}
