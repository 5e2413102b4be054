import type { QuotePriceResponse } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { StoredLineItem } from "../entities/order.js";

/** An order's price: one line per ticket, and the sums the order shows. Minor units of `currencyCode`. */
export interface PricedOrder {
  readonly currencyCode: string;
  readonly lineItems: readonly PricedLine[];
  readonly subtotalMinor: bigint;
  readonly feesMinor: bigint;
  readonly totalMinor: bigint;
  /** What discounts took off, in all. */
  readonly discountMinor: bigint;
}

/** One ticket's worth, with its price and its fee. */
export interface PricedLine extends Omit<StoredLineItem, "priceMinor" | "feeMinor" | "discountMinor" | "attendeeName"> {
  /** What the buyer pays for the ticket before fees: the catalog's price less `discountMinor`. */
  readonly priceMinor: bigint;
  readonly feeMinor: bigint;
  readonly discountMinor: bigint;
}

/**
 * One step of the pricing pipeline: catalog's prices → discounts → fees. Each step sees the lines as the
 * steps before it left them; a discount code or a loyalty rule is a step added before the fees.
 */
export type PricingStep = (lines: readonly PricedLine[]) => readonly PricedLine[];

/**
 * Marquee's service fee: `basisPoints` of each ticket's price (250 = 2.5 %), rounded half up to the minor
 * unit, per ticket, so a refund of some tickets returns exactly their fees.
 */
export function serviceFee(basisPoints: number): PricingStep {
  const rate = BigInt(basisPoints);
  return (lines) => lines.map((line) => ({ ...line, feeMinor: (line.priceMinor * rate + 5_000n) / 10_000n }));
}

/** What a discount code takes off: a percent of each ticket's price, or an amount per ticket. */
export type DiscountRule = { readonly percentOff: number } | { readonly amountOffMinor: bigint };

/**
 * A discount code's step: each ticket's price less the percent (rounded down to the minor unit) or the
 * amount, never below zero. Per ticket, so a refund of some tickets returns exactly what they cost. Runs
 * before the fees, which are a share of what the buyer pays.
 */
export function discount(rule: DiscountRule): PricingStep {
  return (lines) =>
    lines.map((line) => {
      let off = "percentOff" in rule ? (line.priceMinor * BigInt(rule.percentOff)) / 100n : rule.amountOffMinor;
      if (off > line.priceMinor) off = line.priceMinor;
      return { ...line, priceMinor: line.priceMinor - off, discountMinor: line.discountMinor + off };
    });
}

/**
 * Prices an order on the server from catalog's quote for the hold (never from the client): a ticket per
 * seat and per general-admission place, then each pricing step, then the sums.
 */
export function priceOrder(quote: QuotePriceResponse, steps: readonly PricingStep[]): PricedOrder {
  const currencyCode = quote.total?.currencyCode ?? "";
  let lines: readonly PricedLine[] = quote.lines.flatMap((line) =>
    Array.from({ length: line.quantity }, () => ({
      seatId: line.seatId,
      seatLabel: line.seatLabel,
      sectionId: line.sectionId,
      sectionName: line.sectionName,
      priceTierId: line.priceTierId,
      priceTierName: line.priceTierName,
      priceMinor: line.unitPrice?.amountMinor ?? 0n,
      feeMinor: 0n,
      discountMinor: 0n,
    })),
  );
  for (const step of steps) lines = step(lines);
  const subtotalMinor = lines.reduce((sum, line) => sum + line.priceMinor, 0n);
  const feesMinor = lines.reduce((sum, line) => sum + line.feeMinor, 0n);
  const discountMinor = lines.reduce((sum, line) => sum + line.discountMinor, 0n);
  return {
    currencyCode,
    lineItems: lines,
    subtotalMinor,
    feesMinor,
    totalMinor: subtotalMinor + feesMinor,
    discountMinor,
  };
}
