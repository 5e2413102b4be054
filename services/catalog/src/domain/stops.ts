import { type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import { type Checker, MAX_LEGS } from "@marquee/mesh";
import type { TripStop } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/**
 * Bounds of a trip's route. At most `MAX_LEGS` legs, so `MAX_LEGS + 1` stops: inventory sells a seat per
 * leg in at most 32 bits, and a trip it cannot sell must not be created, let alone published.
 */
export const stopLimits = { minStops: 2, maxStops: MAX_LEGS + 1, maxNameLength: 200, maxCityLength: 100 } as const;

/**
 * A stop id the request gives: 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or
 * digit. Lower case only, as section ids are: rides name stops by id and inventory compares them exactly,
 * so a stop has one spelling — no `Dhaka` beside `dhaka` on one route, no ride that works in one case only.
 */
export const stopIdPattern = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The id of each stop: the one given, or `stop-<position>` counted from 1. */
export function stopIdsOf(stops: readonly Pick<TripStop, "id">[]): string[] {
  return stops.map((stop, i) => stop.id || `stop-${i + 1}`);
}

/**
 * Checks a trip's stops: the count, each stop's name, city and id, and time order — every stop but the
 * first has an arrival time, every stop but the last a departure time, no departure before its arrival,
 * and each stop reached strictly after the previous one is left.
 */
export function checkStops(stops: readonly TripStop[], check: Checker, path: string): void {
  if (
    !check.that(
      path,
      stops.length >= stopLimits.minStops && stops.length <= stopLimits.maxStops,
      `a trip needs ${stopLimits.minStops} to ${stopLimits.maxStops} stops (at most ${MAX_LEGS} legs)`,
    )
  ) {
    return;
  }
  const ids = stopIdsOf(stops);
  const seen = new Set<string>();
  let previousTime: { ms: number; path: string } | undefined;
  stops.forEach((stop, i) => {
    const at = `${path}[${i}]`;
    if (check.required(`${at}.name`, stop.name)) check.maxLength(`${at}.name`, stop.name, stopLimits.maxNameLength);
    if (check.required(`${at}.city`, stop.city)) check.maxLength(`${at}.city`, stop.city, stopLimits.maxCityLength);
    if (stop.id !== "")
      check.matches(`${at}.id`, stop.id, stopIdPattern, "must be 1 to 32 of a-z, 0-9, '_' and '-', in lower case");
    const id = ids[i] ?? "";
    check.that(`${at}.id`, !seen.has(id), `repeats stop id ${JSON.stringify(id)}`);
    seen.add(id);

    const isFirst = i === 0;
    const isLast = i === stops.length - 1;
    if (!isFirst) check.present(`${at}.arrival_time`, stop.arrivalTime);
    if (!isLast) check.present(`${at}.departure_time`, stop.departureTime);
    const times: [Timestamp | undefined, string][] = [
      [stop.arrivalTime, `${at}.arrival_time`],
      [stop.departureTime, `${at}.departure_time`],
    ];
    let isFirstTimeOfStop = true;
    for (const [time, timePath] of times) {
      if (time === undefined) continue;
      const ms = timestampMs(time);
      if (previousTime !== undefined) {
        if (isFirstTimeOfStop) {
          check.that(timePath, ms > previousTime.ms, `must be after ${previousTime.path}`);
        } else {
          check.that(timePath, ms >= previousTime.ms, "must not be before arrival_time");
        }
      }
      previousTime = { ms, path: timePath };
      isFirstTimeOfStop = false;
    }
  });
}

/** Departure from the first stop and arrival at the last: a trip's start and end. */
export function routeTimes(stops: readonly TripStop[]): { start?: Timestamp; end?: Timestamp } {
  const start = stops[0]?.departureTime;
  const end = stops.at(-1)?.arrivalTime;
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}
