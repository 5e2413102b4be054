import type { Checker } from "@marquee/mesh";
import type { Money } from "@marquee/proto/marquee/api/v1/money_pb.js";
import { currencyCodePattern } from "../domain/payment-rules.js";

/** The largest amount a card gateway takes: eight digits of minor units (Stripe's limit, the simulator's). */
export const maxAmountMinor = 99_999_999n;

/** An idempotency key: required, 1 to 128 printable ASCII characters. */
export function checkIdempotencyKey(check: Checker, key: string): void {
  check.idempotencyKey("idempotency_key", key);
}

/** An amount: set (unless optional), positive, at most `maxAmountMinor`, in an ISO 4217 currency. */
export function checkAmount(check: Checker, field: string, money: Money | undefined, isRequired: boolean): void {
  if (money === undefined) {
    if (isRequired) check.present(field, money);
    return;
  }
  check.matches(
    `${field}.currency_code`,
    money.currencyCode,
    currencyCodePattern,
    "must be an ISO 4217 code in upper case",
  );
  check.that(`${field}.amount_minor`, money.amountMinor > 0n, "must be positive");
  check.that(`${field}.amount_minor`, money.amountMinor <= maxAmountMinor, `must be at most ${maxAmountMinor}`);
}
