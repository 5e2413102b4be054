import type { PaymentIntent, Refund, Token } from "@marquee/payment-gateway/api";
import { defaultSecretKey } from "@marquee/payment-gateway/server";

/** The simulator's test cards (its README's table). */
export const cards = {
  success: "4242424242424242",
  mastercard: "5555555555554444",
  genericDecline: "4000000000000002",
  insufficientFunds: "4000000000009995",
  processingError: "4000000000000119",
  hang: "4000000000007775",
  refundsFail: "4000000000005126",
} as const;

/** Tokenizes a card as the buyer's browser does (no secret key), returning the `tok_…` id. */
export async function tokenize(gatewayUrl: string, number: string = cards.success): Promise<string> {
  const response = await fetch(`${gatewayUrl}/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      card: {
        number,
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 2,
        cvc: number.length === 15 ? "1234" : "123",
      },
    }),
  });
  if (!response.ok) throw new Error(`tokenize answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as Token).id;
}

/** Reads the gateway's own state with the secret key: what was really authorized, captured, refunded. */
async function read<T>(gatewayUrl: string, path: string): Promise<T> {
  const response = await fetch(`${gatewayUrl}${path}`, { headers: { authorization: `Bearer ${defaultSecretKey}` } });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** An intent as the gateway holds it. */
export function gatewayIntent(gatewayUrl: string, id: string): Promise<PaymentIntent> {
  return read<PaymentIntent>(gatewayUrl, `/v1/payment_intents/${id}`);
}

/** An intent's refunds as the gateway holds them. */
export async function gatewayRefunds(gatewayUrl: string, intentId: string): Promise<Refund[]> {
  return (await read<{ data: Refund[] }>(gatewayUrl, `/v1/refunds?payment_intent=${intentId}`)).data;
}
