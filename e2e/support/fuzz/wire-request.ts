import type { Protocol } from "./protocols.js";

/** A request exactly as it goes on the wire: the fuzzer sends raw bytes so that malformed ones can be sent. */
export interface WireRequest {
  readonly protocol: Protocol;
  /** `/marquee.inventory.v1.InventoryService/GetHold` */
  readonly path: string;
  readonly isStreaming: boolean;
  /** Every header but HTTP/2's pseudo-headers; an empty value means "leave it out". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** How long a call may take before the client gives up on it. */
export interface SendTiming {
  /** A unary call with no answer by then is a hang. @default 15 s */
  readonly deadlineMs: number;
  /** A server stream still open by then is ended by the client, as a watcher leaves; not a finding. */
  readonly cutMs: number;
}

export const defaultTiming: SendTiming = { deadlineMs: 15_000, cutMs: 1_500 };
