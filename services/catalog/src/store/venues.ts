import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { TimeAndId } from "@marquee/mesh";
import { type Venue, VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { sectionMessages } from "../domain/seat-map-messages.js";
import { VenueEntity } from "../entities/venue.js";
import { type MapSection, sectionsOf, sectionsOfMany } from "./seat-maps.js";

/** Finds a venue; `lock` takes a row lock for the rest of the transaction. */
export async function findVenue(em: EntityManager, id: string, lock?: "share" | "update"): Promise<VenueEntity | null> {
  const lockMode =
    lock === "update" ? LockMode.PESSIMISTIC_WRITE : lock === "share" ? LockMode.PESSIMISTIC_READ : undefined;
  return await em.findOne(VenueEntity, { id }, lockMode === undefined ? {} : { lockMode });
}

/** A page of venues, newest first, of one organizer or (`ownerId` undefined) of everyone. */
export async function listVenues(
  em: EntityManager,
  ownerId: string | undefined,
  after: TimeAndId | undefined,
  limit: number,
): Promise<VenueEntity[]> {
  const t = after && new Date(after.t);
  return await em.find(
    VenueEntity,
    {
      ...(ownerId === undefined ? {} : { organizerId: ownerId }),
      ...(after === undefined ? {} : { $or: [{ createTime: { $lt: t } }, { createTime: t, id: { $lt: after.id } }] }),
    },
    { orderBy: [{ createTime: "desc" }, { id: "desc" }], limit },
  );
}

/** A venue as the API shows it: its sections without their seats, which ListVenueSeats pages through. */
export async function venueMessage(em: EntityManager, venue: VenueEntity): Promise<Venue> {
  return toVenueMessage(venue, await sectionsOf(em, { kind: "venue", id: venue.id }));
}

/** Venues as `venueMessage` shows them, their sections read in one query. */
export async function venueMessages(em: EntityManager, venues: readonly VenueEntity[]): Promise<Venue[]> {
  const sections = await sectionsOfMany(
    em,
    "venue",
    venues.map((venue) => venue.id),
  );
  return venues.map((venue) => toVenueMessage(venue, sections.get(venue.id) ?? []));
}

function toVenueMessage(venue: VenueEntity, sections: readonly MapSection[]): Venue {
  return create(VenueSchema, {
    id: venue.id,
    organizerId: venue.organizerId,
    name: venue.name,
    city: venue.city,
    address: venue.address,
    countryCode: venue.countryCode,
    timeZone: venue.timeZone,
    sections: sectionMessages(sections),
    capacity: venue.capacity,
    createTime: timestampFromDate(venue.createTime),
    updateTime: timestampFromDate(venue.updateTime),
  });
}
