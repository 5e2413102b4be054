import { webConfig } from "./web-config.js";

/** A card as the buyer typed it: kept in the page only until the gateway has turned it into a token. */
export interface CardInput {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

/** The gateway's refusal of a card, with the field it names ("card[number]", "card[exp_month]" …). */
export class CardRefused extends Error {
  constructor(
    message: string,
    readonly param: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Posts the card to the payment gateway's tokenize endpoint straight from the browser, as Stripe.js
 * does, and answers the single-use token CreateOrder takes: the card number never reaches Marquee, so
 * Marquee stays out of PCI DSS's scope for card data.
 */
export async function tokenizeCard(card: CardInput): Promise<string> {
  const { paymentGatewayUrl } = await webConfig();
  const response = await fetch(`${paymentGatewayUrl}/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
    body: JSON.stringify({
      card: {
        number: card.number.replace(/[\s-]/g, ""),
        exp_month: card.expMonth,
        exp_year: card.expYear,
        cvc: card.cvc,
      },
    }),
  });
  const body = (await response.json()) as { id?: string; error?: { message?: string; param?: string } };
  if (!response.ok || body.id === undefined) {
    throw new CardRefused(body.error?.message ?? `the gateway answered ${response.status}`, body.error?.param);
  }
  return body.id;
}
