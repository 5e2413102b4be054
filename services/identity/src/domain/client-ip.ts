import { isIP } from "node:net";

/**
 * The IP address of the person behind a call, for the per-IP sign-in limits: the last entry of
 * `x-forwarded-for`, the one the nearest proxy (the BFF) wrote about the peer it saw. Earlier entries are
 * whatever the client claimed and are ignored, so a client cannot pick its own bucket. Identity is
 * reachable only through the BFF and other Marquee services (the chart's NetworkPolicy), so the header
 * is trusted as they set it.
 *
 * Undefined when there is no usable header, as on a call from another service or a test without one:
 * such calls are then limited per account only, rather than all sharing one "unknown" bucket that a
 * single attacker could fill for everyone.
 */
export function clientIpOf(headers: ReadonlyMap<string, string>): string | undefined {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded === undefined) return undefined;
  const last = forwarded.split(",").at(-1)?.trim() ?? "";
  // An IPv4 peer of a dual-stack socket reads "::ffff:192.0.2.1"; one person, one bucket.
  const address = last.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(address) === 0 ? undefined : address.toLowerCase();
}
