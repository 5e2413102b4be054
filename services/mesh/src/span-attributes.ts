import { trace } from "@opentelemetry/api";

/**
 * The business facts of the call being served — which event, which order, how many seats — on its SERVER
 * span, so an on-call engineer finds the trace of "order X" or sees a slow hold's size. Ids and counts
 * only: never a buyer's name, e-mail, phone or card (the trace test checks every span for them).
 */
export function describeCall(attributes: Readonly<Record<`marquee.${string}`, string | number>>): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
