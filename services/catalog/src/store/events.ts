import { create, fromJson, toJson } from "@bufbuild/protobuf";
import { durationFromMs, type Timestamp, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { TimeAndId } from "@marquee/mesh";
import {
  Category,
  type Event,
  EventKind,
  EventSchema,
  EventState,
  FareSchema,
  PriceTierSchema,
  TripStopSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { resolveHoldPolicy } from "../domain/event-rules.js";
import { EventEntity } from "../entities/event.js";

/** The lifecycle states as stored. */
export type StateName = "DRAFT" | "PUBLISHED" | "CANCELLED";

/** What an event shows of its venue: copied while a draft, frozen at publication. */
export interface VenueFacts {
  readonly name: string;
  readonly city: string;
  readonly capacity: number;
}

/** The columns a checked, normalized Event sets: everything a client may set, plus what follows from it. */
export function eventColumns(event: Event, venue: VenueFacts) {
  const isTrip = event.kind === EventKind.TRIP;
  const cities = isTrip ? event.stops.map((stop) => stop.city) : [venue.city];
  const policy = resolveHoldPolicy(event.holdPolicy);
  return {
    kind: EventKind[event.kind],
    category: Category[event.category],
    title: event.title,
    description: event.description,
    venueId: event.venueId,
    venueName: venue.name,
    city: isTrip ? (event.stops[0]?.city ?? "") : venue.city,
    cities: [...new Set(cities.filter((city) => city !== "").map((city) => city.toLowerCase()))],
    startTime: dateOf(event.startTime, "start_time"),
    endTime: dateOf(event.endTime, "end_time"),
    stops: event.stops.map((stop) => toJson(TripStopSchema, stop)),
    currencyCode: event.currencyCode,
    priceTiers: event.priceTiers.map((tier) => toJson(PriceTierSchema, tier)),
    fares: event.fares.map((fare) => toJson(FareSchema, fare)),
    holdMaxSeatsPerUser: policy.maxSeatsPerUser,
    holdDurationMs: policy.holdDurationMs,
    holdMaxExtensions: policy.maxExtensions,
    salesStartTime: event.salesStartTime ? timestampDate(event.salesStartTime) : null,
    salesEndTime: event.salesEndTime ? timestampDate(event.salesEndTime) : null,
    capacity: venue.capacity,
  };
}

/** A checked event always has its times; a missing one is a bug, not bad input. */
function dateOf(time: Timestamp | undefined, field: string): Date {
  if (time === undefined) throw new Error(`a checked event has no ${field}`);
  return timestampDate(time);
}

/** An event as the API shows it. */
export function toEventMessage(row: EventEntity): Event {
  return create(EventSchema, {
    id: row.id,
    organizerId: row.organizerId,
    kind: EventKind[row.kind as keyof typeof EventKind],
    category: Category[row.category as keyof typeof Category],
    title: row.title,
    description: row.description,
    venueId: row.venueId,
    venueName: row.venueName,
    city: row.city,
    startTime: timestampFromDate(row.startTime),
    endTime: timestampFromDate(row.endTime),
    stops: row.stops.map((stop) => fromJson(TripStopSchema, stop)),
    currencyCode: row.currencyCode,
    priceTiers: row.priceTiers.map((tier) => fromJson(PriceTierSchema, tier)),
    fares: row.fares.map((fare) => fromJson(FareSchema, fare)),
    holdPolicy: {
      maxSeatsPerUser: row.holdMaxSeatsPerUser,
      holdDuration: durationFromMs(row.holdDurationMs),
      maxExtensions: row.holdMaxExtensions,
    },
    ...(row.salesStartTime ? { salesStartTime: timestampFromDate(row.salesStartTime) } : {}),
    ...(row.salesEndTime ? { salesEndTime: timestampFromDate(row.salesEndTime) } : {}),
    state: EventState[row.state as StateName],
    cancelReason: row.cancelReason,
    capacity: row.capacity,
    createTime: timestampFromDate(row.createTime),
    updateTime: timestampFromDate(row.updateTime),
    ...(row.publishTime ? { publishTime: timestampFromDate(row.publishTime) } : {}),
  });
}

/**
 * Finds an event; `lock` takes its row for update for the rest of the transaction, so changes to one event
 * (and the events they write) happen one after another.
 */
export async function findEvent(em: EntityManager, id: string, lock = false): Promise<EventEntity | null> {
  return await em.findOne(EventEntity, { id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
}

/** The filters of ListEvents, resolved. */
export interface PublishedFilter {
  readonly kind?: string;
  readonly category?: string;
  /** Lower case. */
  readonly city?: string;
  readonly from: Date;
  readonly to?: Date;
}

/** A page of published events, soonest first. */
export async function listPublishedEvents(
  em: EntityManager,
  filter: PublishedFilter,
  after: TimeAndId | undefined,
  limit: number,
): Promise<EventEntity[]> {
  const t = after && new Date(after.t);
  return await em.find(
    EventEntity,
    {
      state: "PUBLISHED",
      startTime: { $gte: filter.from, ...(filter.to ? { $lt: filter.to } : {}) },
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.category ? { category: filter.category } : {}),
      ...(filter.city ? { cities: { $contains: [filter.city] } } : {}),
      ...(after === undefined ? {} : { $or: [{ startTime: { $gt: t } }, { startTime: t, id: { $gt: after.id } }] }),
    },
    { orderBy: [{ startTime: "asc" }, { id: "asc" }], limit },
  );
}

/** A page of the events of one organizer or (`ownerId` undefined) of everyone, newest first. */
export async function listOwnedEvents(
  em: EntityManager,
  ownerId: string | undefined,
  state: StateName | undefined,
  after: TimeAndId | undefined,
  limit: number,
): Promise<EventEntity[]> {
  const t = after && new Date(after.t);
  return await em.find(
    EventEntity,
    {
      ...(ownerId === undefined ? {} : { organizerId: ownerId }),
      ...(state === undefined ? {} : { state }),
      ...(after === undefined ? {} : { $or: [{ createTime: { $lt: t } }, { createTime: t, id: { $lt: after.id } }] }),
    },
    { orderBy: [{ createTime: "desc" }, { id: "desc" }], limit },
  );
}

/** The drafts and published events that use a venue (what keeps it from being deleted). */
export async function countActiveEventsOfVenue(em: EntityManager, venueId: string): Promise<number> {
  return await em.count(EventEntity, { venueId, state: { $ne: "CANCELLED" } });
}

/** The drafts using a venue: they show the venue's current name, city and capacity. */
export async function draftsOfVenue(em: EntityManager, venueId: string): Promise<EventEntity[]> {
  return await em.find(EventEntity, { venueId, state: "DRAFT" });
}
