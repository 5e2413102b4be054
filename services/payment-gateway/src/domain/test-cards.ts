/**
 * What an authorization does with a card, by number, like Stripe's test cards. Any other number that
 * passes tokenize is authorized.
 * - `decline`: 402 `card_error`; the token is spent, as a declined charge spends Stripe's.
 * - `processingError`: 402 `processing_error` on the first attempt with each token, which stays unspent
 *   (the network never decided); the retry with the same token succeeds, so retry logic can be tested.
 * - `hang`: the request is held open (see routes/payment-intents.ts).
 */
export type CardBehaviour =
  | { kind: "succeed"; refundsFail?: boolean }
  | { kind: "decline"; code: string; declineCode?: string; message: string }
  | { kind: "processingError"; message: string }
  | { kind: "hang" };

/** The numbers with a behaviour of their own; the README's table lists the same. */
export const testCards: ReadonlyMap<string, CardBehaviour> = new Map<string, CardBehaviour>([
  ["4242424242424242", { kind: "succeed" }],
  ["5555555555554444", { kind: "succeed" }],
  ["378282246310005", { kind: "succeed" }],
  [
    "4000000000000002",
    { kind: "decline", code: "card_declined", declineCode: "generic_decline", message: "Your card was declined." },
  ],
  [
    "4000000000009995",
    {
      kind: "decline",
      code: "card_declined",
      declineCode: "insufficient_funds",
      message: "Your card has insufficient funds.",
    },
  ],
  [
    "4000000000000069",
    { kind: "decline", code: "expired_card", declineCode: "expired_card", message: "Your card has expired." },
  ],
  [
    "4000000000000127",
    {
      kind: "decline",
      code: "incorrect_cvc",
      declineCode: "incorrect_cvc",
      message: "Your card's security code is incorrect.",
    },
  ],
  [
    "4000000000000119",
    { kind: "processingError", message: "An error occurred while processing your card. Try again in a little bit." },
  ],
  ["4000000000005126", { kind: "succeed", refundsFail: true }],
  ["4000000000007775", { kind: "hang" }],
]);

export function behaviourOf(number: string): CardBehaviour {
  return testCards.get(number) ?? { kind: "succeed" };
}
