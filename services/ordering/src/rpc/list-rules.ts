import type { Checker } from "@marquee/mesh";
import { OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";

/** Page sizes of the order lists: default 20, at most 100, as the proto says. */
export const pageSizes = { default: 20, max: 100 } as const;

/** A states filter: known states, not UNSPECIFIED. */
export function checkStates(check: Checker, states: readonly OrderState[]): void {
  check.each("states", states, (state, path) => {
    check.that(path, state !== OrderState.UNSPECIFIED && OrderState[state] !== undefined, "is not an OrderState");
  });
}

/** The states as stored (`CONFIRMED`), sorted so the same filter always makes the same page token. */
export function stateNamesOf(states: readonly OrderState[]): string[] {
  return [...new Set(states.map((state) => OrderState[state]))].sort();
}
