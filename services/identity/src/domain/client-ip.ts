import { isIP } from "node:net";
import { type CallContext, clientIpHeader } from "@marquee/mesh";

/**
 * The callers whose word on the client's address identity takes: the BFF, the one door end users come
 * through, which forwards their anonymous calls with its own service token and the address it saw.
 */
const forwarders: ReadonlySet<string> = new Set(["svc:bff"]);

/**
 * The IP address of the person behind a call, for the per-IP sign-in limits: the `clientIpHeader` the
 * BFF sets, believed only on a call made with the BFF's service token. From anyone else — an end user
 * calling a service's port directly, whether anonymous or with a user's token — the header is ignored,
 * so a client cannot pick its own bucket.
 *
 * Undefined when there is no usable address, as on a call from another service, a user's own call or a
 * test without one: such calls are then limited per account only, rather than all sharing one "unknown"
 * bucket that a single attacker could fill for everyone.
 */
export function clientIpOf(call: Pick<CallContext, "headers" | "principal">): string | undefined {
  const caller = call.principal;
  if (caller?.kind !== "service" || !forwarders.has(caller.subject)) return undefined;
  // An IPv4 peer of a dual-stack socket reads "::ffff:192.0.2.1"; one person, one bucket.
  const address = (call.headers.get(clientIpHeader) ?? "").trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(address) === 0 ? undefined : address.toLowerCase();
}
