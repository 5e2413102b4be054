import { isIP } from "node:net";
import type { HeaderReader } from "@marquee/mesh";

/**
 * The address of the client a call came from, for per-IP limits: the TCP peer, or — when the BFF runs
 * behind a proxy (`TRUST_PROXY`) — the last entry of `x-forwarded-for`, the one that proxy appended about
 * the peer it saw. Entries before it are whatever the client claimed, so a client cannot pick its own
 * bucket; and without a trusted proxy the header is ignored altogether, for the same reason. Undefined
 * when neither gives an IP address (a proxy that sends none): such calls are limited per user only,
 * rather than all sharing one bucket that a single caller could empty for everyone.
 */
export function clientAddressOf(
  peer: string | undefined,
  header: HeaderReader,
  isBehindProxy: boolean,
): string | undefined {
  const raw = isBehindProxy ? header.get("x-forwarded-for")?.split(",").at(-1) : peer;
  return normalized(raw?.trim() ?? "");
}

/**
 * One spelling per client: an IPv4 peer of a dual-stack socket (`::ffff:192.0.2.1`) is its IPv4
 * address, IPv6 is lower case. Undefined for anything that is not an IP address.
 */
export function normalized(address: string): string | undefined {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  const kind = isIP(plain);
  if (kind === 0) return undefined;
  return kind === 4 ? plain : plain.toLowerCase();
}

/**
 * The bucket a client address counts against: an IPv4 address itself, an IPv6 address's /64 network.
 * One subscriber gets a whole /64 (RFC 6177) and picks any address in it, so limiting single IPv6
 * addresses would limit nobody.
 */
export function addressBucketOf(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expanded(address).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` filled in and an embedded IPv4 tail converted. */
function expanded(address: string): string[] {
  let text = address.split("%", 1)[0] ?? "";
  const ipv4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (ipv4 !== null) {
    const [a, b, c, d] = ipv4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, ipv4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const front = head === "" ? [] : head.split(":");
  const back = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array<string>(8 - front.length - back.length).fill("0");
  return [...front, ...zeros, ...back].map((group) => Number.parseInt(group, 16).toString(16));
}
