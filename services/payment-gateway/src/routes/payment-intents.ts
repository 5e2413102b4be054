import { setTimeout as sleep } from "node:timers/promises";
import type { CaptureMethod } from "../api.js";
import type { CardBehaviour } from "../domain/test-cards.js";
import { GatewayError } from "../errors.js";
import type { Ledger } from "../ledger.js";
import { allowOnly, amountParam, currencyParam, metadataParam, stringParam } from "../params.js";
import type { Route } from "./route.js";

/**
 * The hanging test card: the request stays open until the client gives up, the gateway closes or `hangMs`
 * passes, and then nothing has happened — no intent, the token unspent, the idempotency key released —
 * so a retry (same key or not) behaves like the first try. The check and the spend happen with no await
 * between them for every other card, so two requests cannot spend one token.
 */
async function hangIfAsked(behaviour: CardBehaviour, hangMs: number, signal: AbortSignal): Promise<void> {
  if (behaviour.kind !== "hang") return;
  try {
    await sleep(hangMs, undefined, { signal });
  } catch {
    // The client went away or the gateway is closing: either way nobody reads the answer below.
  }
  throw new GatewayError(
    504,
    "api_error",
    "timeout",
    "The card network did not answer in time (the hanging test card): nothing was created and the token is unspent.",
    {},
    false,
  );
}

/** Authorize, confirm, capture, cancel and read payment intents. */
export function paymentIntentRoutes(ledger: Ledger, hangMs: number): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/payment_intents",
      access: "secret",
      handle: async ({ body, signal }) => {
        allowOnly(body, ["amount", "currency", "token", "capture_method", "metadata", "description"]);
        const request = {
          amount: amountParam(body, "amount", true),
          currency: currencyParam(body),
          captureMethod: (stringParam(body, "capture_method", false, ["manual", "automatic"]) ??
            "automatic") as CaptureMethod,
          metadata: metadataParam(body) ?? {},
          description: stringParam(body, "description", false) ?? null,
        };
        const token = stringParam(body, "token", true);
        await hangIfAsked(ledger.behaviourOfToken(token), hangMs, signal);
        return { status: 200, body: ledger.authorize(request, token) };
      },
    },
    {
      method: "POST",
      path: "/v1/payment_intents/:id/confirm",
      access: "secret",
      handle: async ({ params, body, signal }) => {
        allowOnly(body, ["token"]);
        const token = stringParam(body, "token", true);
        ledger.checkConfirmable(params.id ?? "");
        await hangIfAsked(ledger.behaviourOfToken(token), hangMs, signal);
        return { status: 200, body: ledger.confirm(params.id ?? "", token) };
      },
    },
    {
      method: "POST",
      path: "/v1/payment_intents/:id/capture",
      access: "secret",
      handle: ({ params, body }) => {
        allowOnly(body, ["amount_to_capture", "metadata"]);
        const amount = amountParam(body, "amount_to_capture", false);
        return { status: 200, body: ledger.capture(params.id ?? "", amount, metadataParam(body)) };
      },
    },
    {
      method: "POST",
      path: "/v1/payment_intents/:id/cancel",
      access: "secret",
      handle: ({ params, body }) => {
        allowOnly(body, ["cancellation_reason"]);
        const reasons = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"] as const;
        const reason = stringParam(body, "cancellation_reason", false, reasons) as (typeof reasons)[number] | undefined;
        return { status: 200, body: ledger.cancel(params.id ?? "", reason) };
      },
    },
    {
      method: "GET",
      path: "/v1/payment_intents/:id",
      access: "secret",
      handle: ({ params }) => ({ status: 200, body: ledger.paymentIntent(params.id ?? "") }),
    },
  ];
}
