import type { List, Refund, RefundReason } from "../api.js";
import { missing } from "../errors.js";
import type { Ledger } from "../ledger.js";
import { allowOnly, amountParam, metadataParam, stringParam } from "../params.js";
import type { Route } from "./route.js";

/** Refund captured intents, in full or in part, and read refunds. */
export function refundRoutes(ledger: Ledger): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/refunds",
      access: "secret",
      handle: ({ body }) => {
        allowOnly(body, ["payment_intent", "amount", "reason", "metadata"]);
        const intent = stringParam(body, "payment_intent", true);
        const amount = amountParam(body, "amount", false);
        const reasons = ["duplicate", "fraudulent", "requested_by_customer"];
        const reason = stringParam(body, "reason", false, reasons) as RefundReason | undefined;
        return { status: 200, body: ledger.refund(intent, amount, reason, metadataParam(body) ?? {}) };
      },
    },
    {
      method: "GET",
      path: "/v1/refunds/:id",
      access: "secret",
      handle: ({ params }) => ({ status: 200, body: ledger.refundNamed(params.id ?? "") }),
    },
    {
      method: "GET",
      path: "/v1/refunds",
      access: "secret",
      handle: ({ query }) => {
        const intent = query.get("payment_intent");
        if (intent === null || intent === "") throw missing("payment_intent");
        const list: List<Refund> = {
          object: "list",
          data: ledger.refundsOf(intent),
          has_more: false,
          url: "/v1/refunds",
        };
        return { status: 200, body: list };
      },
    },
  ];
}
