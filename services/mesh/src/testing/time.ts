import { type Timestamp, timestampFromMs } from "@bufbuild/protobuf/wkt";

/** How far ahead: days, hours and minutes, added up. */
export interface FromNow {
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
}

/**
 * Epoch milliseconds `ahead` of now, rounded down to a whole minute: catalog keeps event and stop times
 * to the minute, so a fixture's times read back exactly as they were sent.
 */
export function wholeMinutesFromNowMs(ahead: FromNow): number {
  const ms = ((ahead.days ?? 0) * 24 * 60 + (ahead.hours ?? 0) * 60 + (ahead.minutes ?? 0)) * 60_000;
  return Math.floor((Date.now() + ms) / 60_000) * 60_000;
}

/** `wholeMinutesFromNowMs` as a Timestamp, for request fixtures. */
export function wholeMinutesFromNow(ahead: FromNow): Timestamp {
  return timestampFromMs(wholeMinutesFromNowMs(ahead));
}
