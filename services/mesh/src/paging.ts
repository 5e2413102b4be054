import { invalidArgument } from "./errors.js";
import { isCanonicalUuid } from "./validate.js";

/**
 * Keyset paging (AIP-158), for every List and Search RPC of every service. A page token is opaque to clients: base64url JSON of which list it belongs to,
 * the filters it was asked with, and the keys of the last row served. A token from another list, or
 * reused with other filters, is INVALID_ARGUMENT on `page_token`, as is anything that does not decode.
 */

interface Token<P> {
  /** The list, e.g. `events`. */
  readonly l: string;
  /** The filters, as given to `encodePageToken`. */
  readonly q: string;
  /** Where the next page starts. */
  readonly p: P;
}

/** The token of the page after the one that ended at `position`. */
export function encodePageToken<P>(list: string, filters: unknown, position: P): string {
  const token: Token<P> = { l: list, q: JSON.stringify(filters ?? null), p: position };
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

/**
 * The position a token continues from; undefined for the empty token (the first page). `isPosition`
 * checks the decoded keys, since a client may send anything.
 */
export function decodePageToken<P>(
  list: string,
  filters: unknown,
  token: string,
  isPosition: (position: unknown) => position is P,
): P | undefined {
  if (token === "") return undefined;
  let decoded: Token<unknown>;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Token<unknown>;
  } catch {
    throw invalidArgument("page_token", "is not a token this list returned");
  }
  if (typeof decoded !== "object" || decoded === null || decoded.l !== list || !isPosition(decoded.p)) {
    throw invalidArgument("page_token", "is not a token this list returned");
  }
  if (decoded.q !== JSON.stringify(filters ?? null)) {
    throw invalidArgument("page_token", "was returned for other filters; keep the filters while paging");
  }
  return decoded.p;
}

/** The page size to serve: the default for 0, the maximum for more (AIP-158 coerces rather than fails). */
export function pageSizeOf(requested: number, limits: { readonly default: number; readonly max: number }): number {
  if (requested <= 0) return limits.default;
  return Math.min(requested, limits.max);
}

/** A position of lists ordered by a time and an id: the last row's. */
export interface TimeAndId {
  readonly t: string;
  readonly id: string;
}

/** Whether a decoded position is a TimeAndId. */
export function isTimeAndId(position: unknown): position is TimeAndId {
  const candidate = position as TimeAndId;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.t === "string" &&
    !Number.isNaN(Date.parse(candidate.t)) &&
    typeof candidate.id === "string" &&
    isCanonicalUuid(candidate.id)
  );
}

/** Whether a decoded position is an index to continue from (a seat's, a row's). */
export function isIndex(position: unknown): position is number {
  return Number.isSafeInteger(position) && (position as number) >= 0;
}
