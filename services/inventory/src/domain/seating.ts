/**
 * An event's frozen seat map as inventory sells it: every seat and general-admission place has a dense
 * index, the position of its state in Redis (1, 2 or 4 bytes, by the event's legs). Seats keep catalog's
 * indexes 0..seatCount-1; the places of each general-admission section follow them, one index per place,
 * so a GA tier is held, counted, swept and rebuilt by exactly the same scripts as named seats. Nothing
 * here does I/O.
 */

import { legCountOf } from "@marquee/mesh";
import type { HoldPolicy } from "./holds.js";
import type { RowRun } from "./row-run.js";

/** One seat of the frozen map, as catalog's CatalogInternalService streams it. */
export interface SeatInput {
  readonly id: string;
  readonly index: number;
  readonly sectionId: string;
  readonly rowLabel: string;
  readonly seatClass: string;
  readonly priceTierId: string;
}

/** Everything inventory needs to sell one event, from catalog. */
export interface SeatingInput {
  readonly eventId: string;
  /** Changes when catalog republishes a different map; a cached seating is replaced on change. */
  readonly version: bigint;
  readonly isTrip: boolean;
  readonly isOnSale: boolean;
  readonly stopIds: readonly string[];
  readonly policy: HoldPolicy;
  readonly salesStartMs: number;
  readonly salesEndMs: number;
  /** Seated sections in map order (for counts); general-admission sections with their capacity. */
  readonly seatedSectionIds: readonly string[];
  readonly generalAdmission: readonly { readonly sectionId: string; readonly capacity: number }[];
  /** Every seat, in any order; indexes must be exactly 0..seats.length-1. */
  readonly seats: readonly SeatInput[];
}

/** A section's indexes: a seated section's seats (listed), or a GA section's places (one run). */
export interface SectionSlots {
  readonly sectionId: string;
  readonly isGeneralAdmission: boolean;
  readonly capacity: number;
}

/** What a filtered best-available search may pick from. */
export interface SeatFilter {
  readonly sectionId?: string;
  readonly seatClass?: string;
  readonly priceTierId?: string;
}

/** A number of places of one GA section. */
export interface Places {
  readonly sectionId: string;
  readonly quantity: number;
}

/** The seat ids and GA places behind a set of indexes. */
export interface SeatsAndPlaces {
  readonly seatIds: string[];
  readonly places: Places[];
}

export class Seating {
  readonly eventId: string;
  readonly version: bigint;
  readonly isTrip: boolean;
  readonly isOnSale: boolean;
  readonly stopIds: readonly string[];
  readonly legCount: number;
  readonly policy: HoldPolicy;
  readonly salesStartMs: number;
  readonly salesEndMs: number;
  /** Named seats: indexes 0..seatCount-1. */
  readonly seatCount: number;
  /** Seats plus GA places: the length of the state strings in Redis. */
  readonly slotCount: number;
  /** Every section, seated ones first in map order, then GA ones. */
  readonly sections: readonly SectionSlots[];
  /** Rows of named seats in index order (front row first, as catalog numbers them). */
  readonly rows: readonly RowRun[];

  private readonly seatIds: readonly string[];
  private readonly indexOfSeatId: ReadonlyMap<string, number>;
  /** Position in `sections` of each slot's section. */
  private readonly sectionOfSlot: Uint16Array;
  private readonly seatClass: readonly string[];
  private readonly priceTier: readonly string[];
  private readonly gaRuns: ReadonlyMap<string, RowRun>;

  constructor(input: SeatingInput) {
    this.eventId = input.eventId;
    this.version = input.version;
    this.isTrip = input.isTrip;
    this.isOnSale = input.isOnSale;
    this.stopIds = input.stopIds;
    this.legCount = legCountOf(input.stopIds);
    this.policy = input.policy;
    this.salesStartMs = input.salesStartMs;
    this.salesEndMs = input.salesEndMs;
    this.seatCount = input.seats.length;

    const ordered: SeatInput[] = new Array(input.seats.length);
    for (const seat of input.seats) {
      if (!Number.isInteger(seat.index) || seat.index < 0 || seat.index >= ordered.length || ordered[seat.index]) {
        throw new RangeError(
          `event ${input.eventId}: seat ${seat.id} has index ${seat.index}, not a dense 0..n-1 index`,
        );
      }
      ordered[seat.index] = seat;
    }
    const sectionPosition = new Map<string, number>();
    const sections: SectionSlots[] = [];
    const addSection = (sectionId: string, isGeneralAdmission: boolean, capacity: number) => {
      sectionPosition.set(sectionId, sections.length);
      sections.push({ sectionId, isGeneralAdmission, capacity });
    };
    const seatedCapacity = new Map<string, number>();
    for (const seat of ordered) seatedCapacity.set(seat.sectionId, (seatedCapacity.get(seat.sectionId) ?? 0) + 1);
    for (const sectionId of input.seatedSectionIds) {
      if (seatedCapacity.has(sectionId)) addSection(sectionId, false, seatedCapacity.get(sectionId) ?? 0);
    }
    for (const [sectionId, capacity] of seatedCapacity) {
      if (!sectionPosition.has(sectionId)) addSection(sectionId, false, capacity);
    }

    const gaRuns = new Map<string, RowRun>();
    let slot = ordered.length;
    for (const area of input.generalAdmission) {
      if (area.capacity < 1) continue;
      addSection(area.sectionId, true, area.capacity);
      gaRuns.set(area.sectionId, { firstSeatIndex: slot, seatCount: area.capacity });
      slot += area.capacity;
    }
    this.slotCount = slot;
    this.sections = sections;
    this.gaRuns = gaRuns;

    this.seatIds = ordered.map((seat) => seat.id);
    this.indexOfSeatId = new Map(ordered.map((seat) => [seat.id, seat.index]));
    this.seatClass = ordered.map((seat) => seat.seatClass);
    this.priceTier = ordered.map((seat) => seat.priceTierId);
    this.sectionOfSlot = new Uint16Array(slot);
    for (const seat of ordered) this.sectionOfSlot[seat.index] = sectionPosition.get(seat.sectionId) ?? 0;
    for (const [sectionId, run] of gaRuns) {
      this.sectionOfSlot.fill(
        sectionPosition.get(sectionId) ?? 0,
        run.firstSeatIndex,
        run.firstSeatIndex + run.seatCount,
      );
    }
    this.rows = runsOf(ordered, (a, b) => a.sectionId === b.sectionId && a.rowLabel === b.rowLabel);
  }

  /** The index of a seat id, or undefined for an id not on this event's map. */
  indexOf(seatId: string): number | undefined {
    return this.indexOfSeatId.get(seatId);
  }

  /** The seat id at a named-seat index. */
  seatIdAt(index: number): string {
    const id = this.seatIds[index];
    if (id === undefined) throw new RangeError(`event ${this.eventId} has no seat at index ${index}`);
    return id;
  }

  /** The position in `sections` of a slot's section. */
  sectionPositionOf(slot: number): number {
    return this.sectionOfSlot[slot] ?? 0;
  }

  /** The places of a general-admission section, or undefined for any other id. */
  placesOf(sectionId: string): RowRun | undefined {
    return this.gaRuns.get(sectionId);
  }

  /** Whether the id names a section of this event. */
  hasSection(sectionId: string): boolean {
    return this.sections.some((section) => section.sectionId === sectionId);
  }

  /** Whether the id names a seat class of this event. */
  hasSeatClass(seatClass: string): boolean {
    return this.seatClass.includes(seatClass);
  }

  /** Whether the id names a price tier of this event's seats. */
  hasPriceTier(priceTierId: string): boolean {
    return this.priceTier.includes(priceTierId);
  }

  /**
   * Runs of consecutive matching seats within rows, front row first: where best-available looks. A run
   * never spans two rows, so "adjacent" stays within a row.
   */
  runsWhere(filter: SeatFilter): RowRun[] {
    const sectionPosition = filter.sectionId
      ? this.sections.findIndex((section) => section.sectionId === filter.sectionId)
      : -1;
    const matches = (index: number) =>
      (sectionPosition < 0 || this.sectionOfSlot[index] === sectionPosition) &&
      (!filter.seatClass || this.seatClass[index] === filter.seatClass) &&
      (!filter.priceTierId || this.priceTier[index] === filter.priceTierId);
    const runs: RowRun[] = [];
    for (const row of this.rows) {
      let first = -1;
      for (let index = row.firstSeatIndex; index <= row.firstSeatIndex + row.seatCount; index++) {
        const inRun = index < row.firstSeatIndex + row.seatCount && matches(index);
        if (inRun && first < 0) first = index;
        if (!inRun && first >= 0) {
          runs.push({ firstSeatIndex: first, seatCount: index - first });
          first = -1;
        }
      }
    }
    return runs;
  }

  /** The seat ids and GA places a hold's indexes stand for; seats in index order. */
  describe(slots: readonly number[]): SeatsAndPlaces {
    const seatIds: string[] = [];
    const placeCounts = new Map<string, number>();
    for (const slot of [...slots].sort((a, b) => a - b)) {
      if (slot < this.seatCount) {
        seatIds.push(this.seatIdAt(slot));
        continue;
      }
      const section = this.sections[this.sectionPositionOf(slot)];
      if (section) placeCounts.set(section.sectionId, (placeCounts.get(section.sectionId) ?? 0) + 1);
    }
    return { seatIds, places: [...placeCounts].map(([sectionId, quantity]) => ({ sectionId, quantity })) };
  }

  /** Whether sales are open at `nowMs`: published, not cancelled, and within the sales window. */
  isSellingAt(nowMs: number): boolean {
    return this.isOnSale && nowMs >= this.salesStartMs && nowMs < this.salesEndMs;
  }
}

/** Groups consecutive items that `together` says belong to one run, as index runs. */
function runsOf(seats: readonly SeatInput[], together: (a: SeatInput, b: SeatInput) => boolean): RowRun[] {
  const runs: RowRun[] = [];
  let first = 0;
  for (let i = 1; i <= seats.length; i++) {
    const previous = seats[i - 1];
    const current = seats[i];
    if (current === undefined || previous === undefined || !together(previous, current)) {
      if (i > first) runs.push({ firstSeatIndex: first, seatCount: i - first });
      first = i;
    }
  }
  return runs;
}
