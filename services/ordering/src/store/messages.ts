import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { MoneySchema } from "@marquee/proto/marquee/api/v1/money_pb.js";
import {
  type Order,
  OrderFailureReason,
  type OrderLineItem,
  OrderLineItemSchema,
  OrderSchema,
  OrderState,
  type Refund,
  RefundReason,
  RefundSchema,
  RefundState,
} from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import type { SalesReportResponseSchema } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { type DiscountCode, DiscountCodeSchema } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import type { SalesFiguresSchema } from "@marquee/proto/marquee/ordering/v1/report_pb.js";
import { type Ticket, TicketSchema, TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import type { PricedLine } from "../domain/pricing.js";
import type { DiscountCodeEntity, RefundEntity, StoredLineItem, TicketEntity } from "../entities/index.js";
import type { OrderRecord } from "./orders.js";
import type { Sales, SalesFigures, SalesPeriod } from "./sales.js";

/**
 * Rows as the API shows them. States and reasons are stored by their enum names without the prefix
 * (`CONFIRMED`), so the tables read on their own and a new enum value needs no migration.
 */

/** Who reads: a buyer sees their tickets' QR payloads, an organizer or admin never does. */
export interface Viewer {
  readonly withQrPayloads: boolean;
}

export function toOrderMessage({ order, tickets, refunds }: OrderRecord, viewer: Viewer): Order {
  const money = moneyIn(order.currencyCode);
  const refunded = refunds.filter((refund) => refund.state !== "FAILED").reduce((sum, r) => sum + r.amountMinor, 0n);
  const ticketOfLine = new Map(tickets.map((ticket) => [ticket.line, ticket]));
  return create(OrderSchema, {
    id: order.id,
    userId: order.userId,
    eventId: order.eventId,
    holdId: order.holdId,
    ...(order.ride ? { ride: order.ride } : {}),
    state: OrderState[order.state as keyof typeof OrderState],
    lineItems: order.lineItems.map((line, index) =>
      toLineItem(line, amountsOf(line), money, ticketOfLine.get(index)?.id ?? ""),
    ),
    subtotal: money(order.subtotalMinor),
    fees: money(order.feesMinor),
    total: money(order.totalMinor),
    buyer: order.buyer,
    paymentId: order.paymentId,
    cardBrand: order.cardBrand,
    cardLast4: order.cardLast4,
    failureReason: order.failureReason
      ? OrderFailureReason[order.failureReason as keyof typeof OrderFailureReason]
      : OrderFailureReason.UNSPECIFIED,
    failureMessage: order.failureMessage,
    declineCode: order.declineCode,
    tickets: tickets.map((ticket) => toTicketMessage(ticket, viewer)),
    refunds: refunds.map(toRefundMessage),
    refundedAmount: money(refunded),
    createTime: timestampFromDate(order.createTime),
    updateTime: timestampFromDate(order.updateTime),
    confirmTime: timestampOf(order.confirmTime),
    expireTime: timestampFromDate(order.expireTime),
    cancelTime: timestampOf(order.cancelTime),
    discountCode: order.discountCode,
    discount: money(order.discountMinor),
  });
}

/** A stored line's amounts as numbers. */
export function amountsOf(line: StoredLineItem): LineAmounts {
  return {
    priceMinor: BigInt(line.priceMinor),
    feeMinor: BigInt(line.feeMinor),
    discountMinor: BigInt(line.discountMinor),
  };
}

/** What one ticket costs, in minor units: its price (after discount), fee and discount. */
export type LineAmounts = Pick<PricedLine, "priceMinor" | "feeMinor" | "discountMinor">;

/** A priced line as QuoteOrder and the order show it. */
export function toLineItem(
  line: Omit<PricedLine, keyof LineAmounts> & { readonly attendeeName?: string },
  amounts: LineAmounts,
  money: (amountMinor: bigint) => MessageInitShape<typeof MoneySchema>,
  ticketId = "",
): OrderLineItem {
  return create(OrderLineItemSchema, {
    seatId: line.seatId,
    seatLabel: line.seatLabel,
    sectionId: line.sectionId,
    sectionName: line.sectionName,
    priceTierId: line.priceTierId,
    priceTierName: line.priceTierName,
    price: money(amounts.priceMinor),
    fee: money(amounts.feeMinor),
    discount: money(amounts.discountMinor),
    attendeeName: line.attendeeName ?? "",
    ticketId,
  });
}

/** A ticket; its QR payload only for its buyer and only while it admits (ISSUED) or did (USED). */
export function toTicketMessage(ticket: TicketEntity, viewer: Viewer): Ticket {
  const showsQr = viewer.withQrPayloads && (ticket.state === "ISSUED" || ticket.state === "USED");
  return create(TicketSchema, {
    id: ticket.id,
    orderId: ticket.orderId,
    eventId: ticket.eventId,
    userId: ticket.userId,
    ...(ticket.ride ? { ride: ticket.ride } : {}),
    seatId: ticket.seatId,
    seatLabel: ticket.seatLabel,
    sectionId: ticket.sectionId,
    sectionName: ticket.sectionName,
    priceTierId: ticket.priceTierId,
    priceTierName: ticket.priceTierName,
    attendeeName: ticket.attendeeName,
    state: TicketState[ticket.state as keyof typeof TicketState],
    qrPayload: showsQr ? ticket.qrPayload : "",
    issueTime: timestampFromDate(ticket.issueTime),
    useTime: timestampOf(ticket.useTime),
    voidTime: timestampOf(ticket.voidTime),
  });
}

export function toRefundMessage(refund: RefundEntity): Refund {
  return create(RefundSchema, {
    id: refund.id,
    orderId: refund.orderId,
    ticketIds: refund.ticketIds,
    amount: moneyIn(refund.currencyCode)(refund.amountMinor),
    reason: RefundReason[refund.reason as keyof typeof RefundReason],
    note: refund.note,
    state: RefundState[refund.state as keyof typeof RefundState],
    requesterId: refund.requesterId,
    paymentRefundId: refund.paymentRefundId,
    createTime: timestampFromDate(refund.createTime),
    completeTime: timestampOf(refund.completeTime),
  });
}

export function toDiscountCodeMessage(code: DiscountCodeEntity): DiscountCode {
  return create(DiscountCodeSchema, {
    id: code.id,
    eventId: code.eventId,
    code: code.code,
    percentOff: code.percentOff,
    ...(code.amountOffMinor > 0n ? { amountOff: moneyIn(code.currencyCode)(code.amountOffMinor) } : {}),
    maxUses: code.maxUses,
    useCount: code.useCount,
    validUntil: timestampOf(code.validUntil),
    createTime: timestampFromDate(code.createTime),
  });
}

/** A sales report of an event, every amount in the event's currency. */
export function toSalesReport(
  eventId: string,
  period: SalesPeriod,
  sales: Sales,
  currencyCode: string,
): MessageInitShape<typeof SalesReportResponseSchema> {
  const figures = (slice: SalesFigures) => toSalesFigures(slice, moneyIn(currencyCode));
  return {
    eventId,
    startTime: timestampFromDate(period.start),
    endTime: timestampFromDate(period.end),
    totals: figures(sales.totals),
    days: sales.days.map((day) => ({
      startTime: timestampFromDate(day.start),
      endTime: timestampFromDate(day.end),
      figures: figures(day.figures),
    })),
    priceTiers: sales.priceTiers.map((tier) => ({ ...tier, figures: figures(tier.figures) })),
    rides: sales.rides.map((ride) => ({ ...ride, figures: figures(ride.figures) })),
  };
}

function toSalesFigures(
  figures: SalesFigures,
  money: (amountMinor: bigint) => MessageInitShape<typeof MoneySchema>,
): MessageInitShape<typeof SalesFiguresSchema> {
  return {
    ticketsSold: figures.ticketsSold,
    ticketsRefunded: figures.ticketsRefunded,
    gross: money(figures.grossMinor),
    fees: money(figures.feesMinor),
    refunds: money(figures.refundsMinor),
    net: money(figures.grossMinor - figures.refundsMinor),
  };
}

/** Amounts of one currency. */
export function moneyIn(currencyCode: string): (amountMinor: bigint) => MessageInitShape<typeof MoneySchema> {
  return (amountMinor) => ({ currencyCode, amountMinor });
}

/** A line item as the order row keeps it: minor units as decimal strings. */
export function toStoredLine(line: PricedLine, attendeeName: string): StoredLineItem {
  return {
    ...line,
    priceMinor: String(line.priceMinor),
    feeMinor: String(line.feeMinor),
    discountMinor: String(line.discountMinor),
    attendeeName,
  };
}

function timestampOf(date: Date | null | undefined): Timestamp | undefined {
  return date === null || date === undefined ? undefined : timestampFromDate(date);
}
