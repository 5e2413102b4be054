import { randomBytes } from "node:crypto";

/** A new object id in Stripe's form: a kind prefix and 24 random alphanumerics (`pi_…`, `tok_…`, `evt_…`). */
export function newId(prefix: "tok" | "pi" | "ch" | "re" | "evt" | "req"): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // 248 is the largest multiple of 62 below 256: dropping bytes above it keeps every letter equally likely.
  let id = "";
  while (id.length < 24) {
    for (const byte of randomBytes(32)) {
      if (byte < 248 && id.length < 24) id += alphabet[byte % 62];
    }
  }
  return `${prefix}_${id}`;
}

/** Unix seconds, the unit of every timestamp in the API. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
