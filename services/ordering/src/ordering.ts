import type { Database, Logger, MeshClient } from "@marquee/mesh";
import type { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import type { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import type { CheckoutSaga } from "./domain/checkout-saga.js";
import type { PricingStep } from "./domain/pricing.js";
import type { TicketSigner } from "./domain/ticket-signing.js";

/** What ordering's handlers and background work are built from. */
export interface Ordering {
  readonly orm: Database;
  readonly log: Logger;
  readonly catalog: MeshClient<typeof CatalogService>;
  readonly inventory: MeshClient<typeof InventoryInternalService>;
  readonly payment: MeshClient<typeof PaymentService>;
  readonly signer: TicketSigner;
  /** After catalog's prices: discounts, then fees. */
  readonly pricing: readonly PricingStep[];
  readonly saga: CheckoutSaga;
  /** How long CreateOrder waits for the saga (`CHECKOUT_WAIT_MS`). */
  readonly checkoutWaitMs: number;
  /** Refunds larger than this (minor units) need a second factor (`REFUND_MFA_ABOVE_MINOR`). */
  readonly refundMfaAboveMinor: bigint;
}
