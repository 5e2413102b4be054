import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { Checker } from "@marquee/mesh";
import type { Money } from "@marquee/proto/marquee/api/v1/money_pb.js";
import {
  Category,
  type Event,
  EventKind,
  type Fare,
  type HoldPolicy,
  type PriceTier,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { seatMapLimits } from "./seat-map.js";
import { checkStops, routeTimes, stopIdsOf } from "./stops.js";

/** Bounds of an event's fields, as resources.proto states them. */
export const eventLimits = {
  maxTitleLength: 200,
  maxDescriptionLength: 10_000,
  maxTierNameLength: 100,
  maxPriceTiers: 100,
  maxFares: 5_000,
} as const;

/** What CreateEvent and UpdateEvent allow beyond the mesh's default bounds on a request (see `eventLimits`). */
export const eventRequestLimits = {
  "event.description": eventLimits.maxDescriptionLength,
  "event.fares": eventLimits.maxFares,
} as const;

/** An ISO 4217 alphabetic code. */
export const currencyPattern = /^[A-Z]{3}$/;

/** A price tier id the request gives. */
export const tierIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** What HoldPolicy fields left unset (zero) mean, and their bounds. */
export const holdPolicyRules = {
  maxSeatsPerUser: { default: 8, min: 1, max: 100 },
  holdDurationMs: { default: 10 * 60_000, min: 60_000, max: 60 * 60_000 },
  maxExtensions: { default: 1, min: 0, max: 5 },
} as const;

/** A hold policy with its defaults applied. */
export interface ResolvedHoldPolicy {
  readonly maxSeatsPerUser: number;
  readonly holdDurationMs: number;
  readonly maxExtensions: number;
}

/**
 * The policy with defaults for what is unset: a zero cap or duration (proto3's unset) is the default,
 * while `max_extensions` has presence, so an explicit 0 means no extension and only an omitted one is 1.
 */
export function resolveHoldPolicy(policy: HoldPolicy | undefined): ResolvedHoldPolicy {
  const duration = policy?.holdDuration === undefined ? 0 : durationMs(policy.holdDuration);
  return {
    maxSeatsPerUser: policy?.maxSeatsPerUser || holdPolicyRules.maxSeatsPerUser.default,
    holdDurationMs: duration || holdPolicyRules.holdDurationMs.default,
    maxExtensions: policy?.maxExtensions ?? holdPolicyRules.maxExtensions.default,
  };
}

/** The id of each tier: the one given, or `tier-<position>` counted from 1. */
export function tierIdsOf(tiers: readonly Pick<PriceTier, "id">[]): string[] {
  return tiers.map((tier, i) => tier.id || `tier-${i + 1}`);
}

/**
 * Checks an event or trip as a whole, as CreateEvent receives it and as UpdateEvent leaves it: what each
 * field must be, and how fields agree (end after start, stops in time order, prices in the event's
 * currency, fares between stops of the route). What needs the venue — does it exist, are the sections a
 * tier names on it — is checked by the handler.
 */
export function checkEvent(event: Event, check: Checker, path = "event"): void {
  const isTrip = event.kind === EventKind.TRIP;
  check.that(`${path}.kind`, event.kind === EventKind.EVENT || isTrip, "must be EVENT_KIND_EVENT or EVENT_KIND_TRIP");
  check.that(
    `${path}.category`,
    event.category !== Category.UNSPECIFIED && Category[event.category] !== undefined,
    "is required",
  );
  if (check.required(`${path}.title`, event.title)) {
    check.maxLength(`${path}.title`, event.title, eventLimits.maxTitleLength);
  }
  check.maxLength(`${path}.description`, event.description, eventLimits.maxDescriptionLength);
  check.id(`${path}.venue_id`, event.venueId);
  const hasCurrency = check.matches(
    `${path}.currency_code`,
    event.currencyCode,
    currencyPattern,
    "must be an ISO 4217 code such as BDT",
  );
  const times = isTrip ? checkTripTimes(event, check, path) : checkEventTimes(event, check, path);
  checkSalesWindow(event, times, check, path);
  checkTiers(event, check, path, hasCurrency);
  checkFares(event, check, path, hasCurrency);
  if (event.holdPolicy !== undefined) checkHoldPolicy(event.holdPolicy, check, `${path}.hold_policy`);
}

interface Times {
  readonly startMs?: number;
  readonly endMs?: number;
}

function checkEventTimes(event: Event, check: Checker, path: string): Times {
  check.that(`${path}.stops`, event.stops.length === 0, "an event has no stops; a route is kind EVENT_KIND_TRIP");
  const hasStart = check.present(`${path}.start_time`, event.startTime);
  const hasEnd = check.present(`${path}.end_time`, event.endTime);
  if (!hasStart || !hasEnd || event.startTime === undefined || event.endTime === undefined) return {};
  const [startMs, endMs] = [timestampMs(event.startTime), timestampMs(event.endTime)];
  check.that(`${path}.end_time`, endMs > startMs, "must be after start_time");
  return { startMs, endMs };
}

/** A trip's start and end are its first departure and last arrival; given ones must agree. */
function checkTripTimes(event: Event, check: Checker, path: string): Times {
  const before = check.violations.length;
  checkStops(event.stops, check, `${path}.stops`);
  const { start, end } = routeTimes(event.stops);
  const startMs = start && timestampMs(start);
  const endMs = end && timestampMs(end);
  if (event.startTime !== undefined && startMs !== undefined) {
    check.that(
      `${path}.start_time`,
      timestampMs(event.startTime) === startMs,
      "must equal the departure from the first stop (or be left unset)",
    );
  }
  if (event.endTime !== undefined && endMs !== undefined) {
    check.that(
      `${path}.end_time`,
      timestampMs(event.endTime) === endMs,
      "must equal the arrival at the last stop (or be left unset)",
    );
  }
  if (check.violations.length > before) return {};
  return { ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}) };
}

function checkSalesWindow(event: Event, times: Times, check: Checker, path: string): void {
  const opens = event.salesStartTime && timestampMs(event.salesStartTime);
  const closes = event.salesEndTime && timestampMs(event.salesEndTime);
  if (closes !== undefined && times.endMs !== undefined) {
    check.that(`${path}.sales_end_time`, closes <= times.endMs, "must not be after end_time");
  }
  const closesEffectively = closes ?? times.startMs;
  if (opens !== undefined && closesEffectively !== undefined) {
    check.that(
      `${path}.sales_start_time`,
      opens < closesEffectively,
      closes === undefined ? "must be before start_time" : "must be before sales_end_time",
    );
  }
}

function checkMoney(
  money: Money | undefined,
  currency: string,
  hasCurrency: boolean,
  check: Checker,
  path: string,
): void {
  if (!check.present(path, money) || money === undefined) return;
  check.that(`${path}.amount_minor`, money.amountMinor >= 0n, "must not be negative");
  if (hasCurrency && money.currencyCode !== "") {
    check.that(`${path}.currency_code`, money.currencyCode === currency, `must be the event's currency ${currency}`);
  }
}

function checkTiers(event: Event, check: Checker, path: string, hasCurrency: boolean): void {
  const tiers = event.priceTiers;
  if (tiers.length === 0) return;
  if (event.kind === EventKind.TRIP) {
    check.that(`${path}.price_tiers`, false, "a trip is priced by fares, not price tiers");
    return;
  }
  if (
    !check.that(
      `${path}.price_tiers`,
      tiers.length <= eventLimits.maxPriceTiers,
      `at most ${eventLimits.maxPriceTiers}`,
    )
  ) {
    return;
  }
  const ids = tierIdsOf(tiers);
  const idsSeen = new Set<string>();
  const sectionOwner = new Map<string, number>();
  const classOwner = new Map<string, number>();
  tiers.forEach((tier, i) => {
    const at = `${path}.price_tiers[${i}]`;
    if (tier.id !== "")
      check.matches(`${at}.id`, tier.id, tierIdPattern, "must be 1 to 32 letters, digits, '_' or '-'");
    const id = ids[i] ?? "";
    check.that(`${at}.id`, !idsSeen.has(id), `repeats tier id ${JSON.stringify(id)}`);
    idsSeen.add(id);
    check.maxLength(`${at}.name`, tier.name, eventLimits.maxTierNameLength);
    checkMoney(tier.price, event.currencyCode, hasCurrency, check, `${at}.price`);
    check.that(at, tier.sectionIds.length + tier.seatClasses.length > 0, "name at least one section or seat class");
    tier.sectionIds.forEach((sectionId, j) => {
      const owner = sectionOwner.get(sectionId);
      if (!check.required(`${at}.section_ids[${j}]`, sectionId)) return;
      check.that(`${at}.section_ids[${j}]`, owner === undefined, `is already priced by price_tiers[${owner}]`);
      if (owner === undefined) sectionOwner.set(sectionId, i);
    });
    tier.seatClasses.forEach((seatClass, j) => {
      const owner = classOwner.get(seatClass);
      if (!check.required(`${at}.seat_classes[${j}]`, seatClass)) return;
      check.maxLength(`${at}.seat_classes[${j}]`, seatClass, seatMapLimits.maxSeatClassLength);
      check.that(`${at}.seat_classes[${j}]`, owner === undefined, `is already priced by price_tiers[${owner}]`);
      if (owner === undefined) classOwner.set(seatClass, i);
    });
  });
}

function checkFares(event: Event, check: Checker, path: string, hasCurrency: boolean): void {
  const fares = event.fares;
  if (fares.length === 0) return;
  if (event.kind !== EventKind.TRIP) {
    check.that(`${path}.fares`, false, "an event is priced by price tiers, not fares");
    return;
  }
  if (!check.that(`${path}.fares`, fares.length <= eventLimits.maxFares, `at most ${eventLimits.maxFares}`)) return;
  const position = new Map(stopIdsOf(event.stops).map((id, i) => [id, i]));
  const seen = new Map<string, number>();
  fares.forEach((fare: Fare, i) => {
    const at = `${path}.fares[${i}]`;
    const from = position.get(fare.boardingStopId);
    const to = position.get(fare.alightingStopId);
    check.that(
      `${at}.boarding_stop_id`,
      from !== undefined,
      `${JSON.stringify(fare.boardingStopId)} is not a stop of the trip`,
    );
    check.that(
      `${at}.alighting_stop_id`,
      to !== undefined,
      `${JSON.stringify(fare.alightingStopId)} is not a stop of the trip`,
    );
    if (from !== undefined && to !== undefined) {
      check.that(`${at}.alighting_stop_id`, to > from, "must come after boarding_stop_id on the route");
    }
    check.maxLength(`${at}.seat_class`, fare.seatClass, seatMapLimits.maxSeatClassLength);
    checkMoney(fare.price, event.currencyCode, hasCurrency, check, `${at}.price`);
    const key = JSON.stringify([fare.boardingStopId, fare.alightingStopId, fare.seatClass]);
    const earlier = seen.get(key);
    check.that(at, earlier === undefined, `repeats fares[${earlier}] (same stops and seat class)`);
    if (earlier === undefined) seen.set(key, i);
  });
}

function checkHoldPolicy(policy: HoldPolicy, check: Checker, path: string): void {
  const rules = holdPolicyRules;
  if (policy.maxSeatsPerUser !== 0) {
    check.range(
      `${path}.max_seats_per_user`,
      policy.maxSeatsPerUser,
      rules.maxSeatsPerUser.min,
      rules.maxSeatsPerUser.max,
    );
  }
  if (policy.holdDuration !== undefined) {
    check.that(
      `${path}.hold_duration`,
      durationMs(policy.holdDuration) >= rules.holdDurationMs.min &&
        durationMs(policy.holdDuration) <= rules.holdDurationMs.max,
      "must be between 1 and 60 minutes",
    );
  }
  if (policy.maxExtensions !== undefined) {
    check.range(`${path}.max_extensions`, policy.maxExtensions, rules.maxExtensions.min, rules.maxExtensions.max);
  }
}

/**
 * Checks what needs the event's seat map: every section a price tier names exists on it. Reported on the
 * tier's `section_ids[j]`.
 */
export function checkTierSections(event: Event, sectionIds: ReadonlySet<string>, check: Checker, path = "event"): void {
  event.priceTiers.forEach((tier, i) => {
    tier.sectionIds.forEach((sectionId, j) => {
      check.that(
        `${path}.price_tiers[${i}].section_ids[${j}]`,
        sectionIds.has(sectionId),
        `the venue has no section ${JSON.stringify(sectionId)}`,
      );
    });
  });
}
