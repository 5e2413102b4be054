import type { Checker } from "@marquee/mesh";
import type { Venue } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/** Bounds of a venue's details, as resources.proto states them. */
export const venueLimits = { maxNameLength: 200, maxCityLength: 100, maxAddressLength: 500 } as const;

/** Fields UpdateVenue may name in its update mask, by proto name; an empty mask means all of them. */
export const updatableVenueFields = ["name", "city", "address", "country_code", "time_zone", "sections"] as const;

/** Whether `zone` is an IANA time zone this runtime knows, e.g. "Asia/Dhaka". */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a venue's details (not its sections: see `planSeatMap`), all of them or those named in `fields`.
 * A vehicle may leave the city empty, so only the name is required.
 */
export function checkVenueDetails(
  venue: Venue,
  check: Checker,
  path: string,
  fields: readonly string[] = updatableVenueFields,
): void {
  if (fields.includes("name") && check.required(`${path}.name`, venue.name)) {
    check.maxLength(`${path}.name`, venue.name, venueLimits.maxNameLength);
  }
  if (fields.includes("city")) check.maxLength(`${path}.city`, venue.city, venueLimits.maxCityLength);
  if (fields.includes("address")) check.maxLength(`${path}.address`, venue.address, venueLimits.maxAddressLength);
  if (fields.includes("country_code") && venue.countryCode !== "") {
    check.matches(
      `${path}.country_code`,
      venue.countryCode,
      /^[A-Z]{2}$/,
      "must be an ISO 3166-1 alpha-2 code such as BD",
    );
  }
  if (fields.includes("time_zone") && venue.timeZone !== "") {
    check.that(`${path}.time_zone`, isTimeZone(venue.timeZone), "must be an IANA time zone such as Asia/Dhaka");
  }
}
