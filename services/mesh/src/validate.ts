import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { FieldViolation } from "./errors.js";
import type { RequestLimits } from "./request-bounds.js";

/**
 * Request validation, declared once per request message and applied by the server before the handler:
 * a request with any violation gets INVALID_ARGUMENT with a BadRequest naming every bad field, and the
 * handler never runs. (`buf.validate` lives on the BSR, out of reach here, so the rules are code.)
 *
 * ```ts
 * export const holdSeatsRules = defineValidator(HoldSeatsRequestSchema, (request, check) => {
 *   check.id("event_id", request.eventId);
 *   check.that("seat_ids", request.seatIds.length > 0 || request.places.length > 0, "hold at least one seat or place");
 *   check.unique("seat_ids", request.seatIds);
 * });
 * ```
 * Field paths use proto names (`event.stops[1].city`), as BadRequest asks.
 */
export interface RequestValidator<D extends DescMessage = DescMessage> {
  readonly schema: D;
  /** Sizes the request may reach beyond the default bounds (see `boundViolations`). */
  readonly limits?: RequestLimits;
  /** Every violation of the request; empty when it is valid. */
  validate(request: MessageShape<D>): FieldViolation[];
}

/**
 * A UUID as `crypto.randomUUID()` writes it and as every Marquee id is stored: lower-case hex in the groups
 * 8-4-4-4-12. PostgreSQL reads `A0…` and `a0…` as one uuid, but Redis keys, maps and token subjects do not,
 * so this is the only spelling the platform accepts.
 */
const canonicalUuidPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/** Whether `value` is a UUID in canonical form ({@link canonicalUuidPattern}). */
export function isCanonicalUuid(value: string): boolean {
  return canonicalUuidPattern.test(value);
}

/** An idempotency key: 1 to 128 printable ASCII characters (see `Checker.idempotencyKey`). */
export const idempotencyKeyPattern = /^[\x20-\x7e]{1,128}$/;

/** Collects violations with the checks requests need most. Each check returns whether it passed. */
export class Checker {
  readonly violations: FieldViolation[] = [];

  /** Records a violation of `field` unless `condition` holds. */
  that(field: string, condition: boolean, description: string): boolean {
    if (!condition) this.violations.push({ field, description });
    return condition;
  }

  /** A string that must not be empty or blank. */
  required(field: string, value: string | undefined): boolean {
    return this.that(field, value !== undefined && value.trim().length > 0, "is required");
  }

  /** A message field that must be set. */
  present(field: string, value: object | undefined): value is object {
    return this.that(field, value !== undefined, "is required");
  }

  /** A string of at most `max` characters (code points). */
  maxLength(field: string, value: string, max: number): boolean {
    return this.that(field, [...value].length <= max, `must be at most ${max} characters`);
  }

  /** A number within [min, max]. */
  range(field: string, value: number | bigint, min: number, max: number): boolean {
    return this.that(field, value >= min && value <= max, `must be between ${min} and ${max}`);
  }

  /**
   * A UUID in its canonical form, the one every id is stored, keyed and compared under (see
   * {@link isCanonicalUuid}). Any other spelling is refused, not lower-cased: see {@link Checker.id}.
   */
  uuid(field: string, value: string): boolean {
    return this.that(field, isCanonicalUuid(value), "must be a UUID in canonical lower-case form");
  }

  /**
   * The id of a resource (an event, a venue, an order…): required, and a UUID in canonical form. Ids are
   * refused in any other spelling rather than normalised, on purpose: one form is one key, so no spelling
   * of an id can reach a second Redis state, cache entry or cap (issue #20 held one seat three times under
   * three spellings of its event id); and a client that sends another spelling has a bug worth hearing
   * about, which lower-casing would hide — as it would break anything the client signed or compared over
   * the id it sent. Returns whether it passed.
   */
  id(field: string, value: string | undefined): boolean {
    return this.required(field, value) && this.uuid(field, value ?? "");
  }

  /**
   * An idempotency key as every Marquee RPC takes one (and Stripe does): required, 1 to 128 printable
   * ASCII characters, so it fits any header, log line and unique index unchanged.
   */
  idempotencyKey(field: string, value: string): boolean {
    if (!this.that(field, value.length > 0, "is required")) return false;
    return this.matches(field, value, idempotencyKeyPattern, "must be 1 to 128 printable ASCII characters");
  }

  /** A string matching `pattern`, described for the caller by `description`. */
  matches(field: string, value: string, pattern: RegExp, description: string): boolean {
    return this.that(field, pattern.test(value), description);
  }

  /** A list without repeated values; each repeat is reported at its index. */
  unique(field: string, values: readonly string[]): boolean {
    const seen = new Set<string>();
    let isUnique = true;
    values.forEach((value, index) => {
      if (seen.has(value)) isUnique = this.that(`${field}[${index}]`, false, `repeats ${JSON.stringify(value)}`);
      seen.add(value);
    });
    return isUnique;
  }

  /** Runs `rules` for every item of a repeated field with the item's path, e.g. `event.stops[2]`. */
  each<T>(field: string, items: readonly T[], rules: (item: T, path: string, index: number) => void): void {
    items.forEach((item, index) => {
      rules(item, `${field}[${index}]`, index);
    });
  }
}

/** Declares the rules of one request message. */
export function defineValidator<D extends DescMessage>(
  schema: D,
  rules: (request: MessageShape<D>, check: Checker) => void,
): RequestValidator<D> {
  return {
    schema,
    validate(request) {
      const check = new Checker();
      rules(request, check);
      return check.violations;
    },
  };
}
