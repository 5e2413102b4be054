import type { Money } from "@marquee/proto/marquee/api/v1/money_pb.js";

/** Minor units per major unit: two for the currencies Marquee sells in (ISO 4217). */
export const minorDigits = 2;

/** "৳1,200.00" or "Tk 1,200.00": the locale decides the symbol and the digits. */
export function formatMoney(money: Money | undefined, locale: string): string {
  if (money === undefined) return "";
  const major = Number(money.amountMinor) / 10 ** minorDigits;
  return new Intl.NumberFormat(locale, { style: "currency", currency: money.currencyCode || "BDT" }).format(major);
}

/** A date and time in the event's own sense: the locale's medium date and short time. */
export function formatDateTime(seconds: bigint | undefined, locale: string, timeZone?: string): string {
  if (seconds === undefined) return "";
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(Number(seconds) * 1000));
}

/** A protobuf Timestamp as epoch milliseconds (0 when unset). */
export function millisOf(timestamp: { seconds: bigint; nanos: number } | undefined): number {
  return timestamp ? Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6) : 0;
}
