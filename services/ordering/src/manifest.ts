import { defineService } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { OrderingInternalService } from "@marquee/proto/marquee/ordering/v1/ordering_internal_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { startCancellationWorker } from "./background/cancellation-worker.js";
import { followCatalog } from "./background/catalog-events.js";
import { startRefundFollower } from "./background/refund-follower.js";
import { startSagaResumer } from "./background/saga-resumer.js";
import { settings } from "./config.js";
import { CheckoutSaga } from "./domain/checkout-saga.js";
import { serviceFee } from "./domain/pricing.js";
import { TicketSigner } from "./domain/ticket-signing.js";
import { entities } from "./entities/index.js";
import { migrations } from "./migrations/index.js";
import type { Ordering } from "./ordering.js";
import * as rpcs from "./rpc/index.js";

/**
 * Ordering: orders priced from catalog, the checkout saga over payment and inventory, tickets with signed
 * QR codes and check-in, booking history, and the refunds of a cancelled event's orders (it follows
 * catalog's EventCancelled). Catalog is called as CatalogService (prices and events are
 * public there), inventory and payment on their internal services with ordering's service token.
 */
export const ordering = defineService({
  name: "ordering",
  ports: { grpc: 50055, metrics: 9455 },
  upstreams: { catalog: CatalogService, inventory: InventoryInternalService, payment: PaymentService },
  settings,
  database: { schema: "ordering", entities, migrations },
  events: { source: "ordering" },
  services: [OrderingService, OrderingInternalService],
  rpcs: Object.values(rpcs),
  async compose({ config, log, orm, redis, replica, upstreams }) {
    const signer = await TicketSigner.load(orm);
    const saga = new CheckoutSaga(
      { orm, log, inventory: upstreams.inventory, payment: upstreams.payment, signer },
      { leaseMs: config.SAGA_LEASE_MS, retryMaxDelayMs: config.SAGA_RETRY_MAX_DELAY_MS },
    );
    const deps: Ordering = {
      orm,
      log,
      catalog: upstreams.catalog,
      inventory: upstreams.inventory,
      payment: upstreams.payment,
      signer,
      pricing: [serviceFee(config.SERVICE_FEE_BASIS_POINTS)],
      saga,
      checkoutWaitMs: config.CHECKOUT_WAIT_MS,
      refundMfaAboveMinor: BigInt(config.REFUND_MFA_ABOVE_MINOR),
    };
    return {
      deps,
      background: [
        () => startSagaResumer(saga, log, { intervalMs: config.SAGA_RESUME_INTERVAL_MS }),
        () => startRefundFollower(deps, { intervalMs: config.REFUND_FOLLOW_INTERVAL_MS }),
        () => followCatalog(orm, redis, replica, log),
        () =>
          startCancellationWorker(deps, {
            intervalMs: config.CANCELLATION_INTERVAL_MS,
            batchSize: config.CANCELLATION_BATCH_SIZE,
            batchesPerRound: 5,
          }),
      ],
      close: [() => saga.drain()],
    };
  },
});
