import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import type { Hold } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { HoldSchema } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";

/**
 * The buyer's live hold per event, kept in sessionStorage so a reload or a trip to the sign-in page
 * brings the countdown back instead of leaving seats held and forgotten until they expire.
 */
const keyOf = (eventId: string) => `marquee.hold.${eventId}`;

export function rememberedHold(eventId: string): Hold | undefined {
  const raw = globalThis.sessionStorage?.getItem(keyOf(eventId));
  if (!raw) return undefined;
  try {
    const hold = fromJsonString(HoldSchema, raw);
    const expireMs = Number(hold.expireTime?.seconds ?? 0n) * 1000;
    return expireMs > Date.now() ? hold : undefined;
  } catch {
    return undefined;
  }
}

export function rememberHold(eventId: string, hold: Hold | undefined): void {
  if (hold) globalThis.sessionStorage?.setItem(keyOf(eventId), toJsonString(HoldSchema, hold));
  else globalThis.sessionStorage?.removeItem(keyOf(eventId));
}
