import { DiscountCodeEntity } from "./discount-code.js";
import { EventCancellationEntity } from "./event-cancellation.js";
import { OrderEntity } from "./order.js";
import { RefundEntity } from "./refund.js";
import { TicketEntity } from "./ticket.js";
import { TicketSigningKeyEntity } from "./ticket-signing-key.js";

export type { StoredBuyer, StoredLineItem, StoredRide } from "./order.js";
export { DiscountCodeEntity, EventCancellationEntity, OrderEntity, RefundEntity, TicketEntity, TicketSigningKeyEntity };

/** Every entity of ordering, for `openDatabase`. */
export const entities = [
  OrderEntity,
  TicketEntity,
  RefundEntity,
  DiscountCodeEntity,
  TicketSigningKeyEntity,
  EventCancellationEntity,
];
