import type { JsonValue } from "@bufbuild/protobuf";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * An event or a trip. Its small lists — stops, price tiers, fares — are JSONB in the canonical proto JSON
 * of TripStop, PriceTier and Fare: always read and written with the event, never queried into.
 */
export const EventEntity = defineEntity({
  name: "Event",
  tableName: "event",
  properties: {
    id: p.uuid().primary(),
    organizerId: p.text(),
    /** EventKind name without prefix: EVENT or TRIP. */
    kind: p.text(),
    /** Category name without prefix, e.g. CONCERT. */
    category: p.text(),
    title: p.text(),
    description: p.text(),
    venueId: p.uuid(),
    /** The venue's name: kept in step with the venue while a draft, frozen at publication. */
    venueName: p.text(),
    /** The venue's city, or the first stop's for a trip. */
    city: p.text(),
    /** Lower-cased cities ListEvents matches: the venue's, or every stop's for a trip. */
    cities: p.array(),
    startTime: p.datetime(),
    endTime: p.datetime(),
    stops: p.json<JsonValue[]>(),
    currencyCode: p.text(),
    priceTiers: p.json<JsonValue[]>(),
    fares: p.json<JsonValue[]>(),
    /** The hold policy with defaults applied. */
    holdMaxSeatsPerUser: p.integer(),
    holdDurationMs: p.integer(),
    holdMaxExtensions: p.integer(),
    salesStartTime: p.datetime().nullable(),
    salesEndTime: p.datetime().nullable(),
    /** EventState name without prefix: DRAFT, PUBLISHED or CANCELLED. */
    state: p.text(),
    cancelReason: p.text(),
    /** Seats plus general-admission places: the venue's while a draft, the frozen map's once published. */
    capacity: p.integer(),
    /** Version of the frozen seat map (GetHoldPolicy.version); 0 while a draft. */
    mapVersion: p.bigint("number"),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    publishTime: p.datetime().nullable(),
  },
});

/** A row of the event table. */
export type EventEntity = InferEntity<typeof EventEntity>;
