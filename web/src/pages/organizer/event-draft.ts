import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Category, type Event, EventKind, type EventSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/** A price tier as the form edits it: the price as typed, in major units ("1500" or "1500.50"). */
export interface TierDraft {
  readonly id: string;
  readonly name: string;
  readonly price: string;
  readonly sectionIds: readonly string[];
}

/** A stop as the form edits it: times as `<input type="datetime-local">` values, in the browser's zone. */
export interface StopDraft {
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly arrival: string;
  readonly departure: string;
}

/** An event or trip as the form holds it: strings as typed, turned into the contract's Event on save. */
export interface EventDraft {
  readonly kind: EventKind;
  readonly category: Category;
  readonly title: string;
  readonly description: string;
  readonly venueId: string;
  readonly start: string;
  readonly end: string;
  readonly currencyCode: string;
  readonly tiers: readonly TierDraft[];
  readonly stops: readonly StopDraft[];
  /** The fare of each leg (stop i to stop i + 1), as typed. */
  readonly legFares: readonly string[];
  readonly maxSeatsPerUser: string;
}

export { categoryKeys } from "../../lib/categories.js";

export const emptyStop: StopDraft = { id: "", name: "", city: "", arrival: "", departure: "" };

export const newEventDraft: EventDraft = {
  kind: EventKind.EVENT,
  category: Category.CONCERT,
  title: "",
  description: "",
  venueId: "",
  start: "",
  end: "",
  currencyCode: "BDT",
  tiers: [],
  stops: [emptyStop, emptyStop],
  legFares: [""],
  maxSeatsPerUser: "8",
};

/** A Timestamp as a datetime-local value in this browser's zone, "" when unset. */
function localInput(timestamp: Parameters<typeof timestampDate>[0] | undefined): string {
  if (!timestamp) return "";
  const date = timestampDate(timestamp);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A datetime-local value as a Timestamp; undefined when empty or unreadable, which the server reports. */
function timestampOf(value: string) {
  const date = new Date(value);
  return value === "" || Number.isNaN(date.getTime()) ? undefined : timestampFromDate(date);
}

/** Money from a typed major amount; blank or unreadable is no price, which the server reports by field. */
function moneyOf(price: string, currencyCode: string) {
  const major = Number(price.replace(/,/g, ""));
  if (price.trim() === "" || !Number.isFinite(major)) return undefined;
  return { currencyCode, amountMinor: BigInt(Math.round(major * 100)) };
}

const majorOf = (amountMinor: bigint | undefined) =>
  amountMinor === undefined ? "" : String(Number(amountMinor) / 100);

/** The id a stop has, or will be given: the server names unnamed stops `stop-<position>` (resources.proto). */
export function stopIdOf(stop: StopDraft, index: number): string {
  return stop.id || `stop-${index + 1}`;
}

export function draftOf(event: Event): EventDraft {
  const stops = event.stops.map((stop) => ({
    id: stop.id,
    name: stop.name,
    city: stop.city,
    arrival: localInput(stop.arrivalTime),
    departure: localInput(stop.departureTime),
  }));
  return {
    kind: event.kind,
    category: event.category,
    title: event.title,
    description: event.description,
    venueId: event.venueId,
    start: localInput(event.startTime),
    end: localInput(event.endTime),
    currencyCode: event.currencyCode,
    tiers: event.priceTiers.map((tier) => ({
      id: tier.id,
      name: tier.name,
      price: majorOf(tier.price?.amountMinor),
      sectionIds: tier.sectionIds,
    })),
    stops: stops.length > 0 ? stops : newEventDraft.stops,
    legFares: stops.slice(1).map((_, i) => {
      const [from, to] = [stopIdOf(stops[i] ?? emptyStop, i), stopIdOf(stops[i + 1] ?? emptyStop, i + 1)];
      const fare = event.fares.find((f) => f.boardingStopId === from && f.alightingStopId === to && f.seatClass === "");
      return majorOf(fare?.price?.amountMinor);
    }),
    maxSeatsPerUser: String(event.holdPolicy?.maxSeatsPerUser || 8),
  };
}

/**
 * The Event CreateEvent and UpdateEvent take. A trip's times are its stops' (the server requires start and
 * end to equal the first departure and last arrival, or be unset), and it is priced by a fare per leg.
 */
export function eventOf(draft: EventDraft): MessageInitShape<typeof EventSchema> {
  const isTrip = draft.kind === EventKind.TRIP;
  const common = {
    kind: draft.kind,
    category: draft.category,
    title: draft.title.trim(),
    description: draft.description,
    venueId: draft.venueId,
    currencyCode: draft.currencyCode.trim().toUpperCase(),
    holdPolicy: { maxSeatsPerUser: Number(draft.maxSeatsPerUser) || 0 },
  };
  if (!isTrip) {
    return {
      ...common,
      startTime: timestampOf(draft.start),
      endTime: timestampOf(draft.end),
      priceTiers: draft.tiers.map((tier) => ({
        id: tier.id,
        name: tier.name,
        price: moneyOf(tier.price, common.currencyCode),
        sectionIds: [...tier.sectionIds],
      })),
    };
  }
  return {
    ...common,
    stops: draft.stops.map((stop) => ({
      id: stop.id,
      name: stop.name,
      city: stop.city,
      arrivalTime: timestampOf(stop.arrival),
      departureTime: timestampOf(stop.departure),
    })),
    fares: draft.legFares.map((price, i) => ({
      boardingStopId: stopIdOf(draft.stops[i] ?? emptyStop, i),
      alightingStopId: stopIdOf(draft.stops[i + 1] ?? emptyStop, i + 1),
      price: moneyOf(price, common.currencyCode),
    })),
  };
}

/** The fields UpdateEvent lets a published event change (catalog.proto: UpdateEvent). */
export const editableWhenPublished = ["title", "description", "price_tiers", "fares", "hold_policy"];
