/**
 * `npm run reconcile -w @marquee/ordering`: checks ordering's books against the payment service's (see
 * domain/reconciliation.ts) and its tickets against inventory's sold-seat ledger (domain/seat-reconciliation.ts)
 * and cancelled events' money (domain/cancellation-reconciliation.ts)
 * on a running stack, printing each discrepancy, then the seat-legs checked and a summary whose count of
 * discrepancies is of all three; exits 1 when there is one. Reads the same variables as the service
 * (`DATABASE_URL`, `PAYMENT_ADDR`, `INVENTORY_ADDR`, `CATALOG_ADDR`, `AUTH_SIGNING_KEY_FILE`…).
 */
import {
  createClient,
  createLogger,
  createServiceTokenMinter,
  loadConfigOrExit,
  openDatabase,
  readSigningKey,
  settingsOf,
} from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { InventoryInternalService } from "@marquee/proto/marquee/inventory/v1/inventory_internal_pb.js";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { reconcileCancellations } from "./domain/cancellation-reconciliation.js";
import { reconcilePayments } from "./domain/reconciliation.js";
import { reconcileSeats } from "./domain/seat-reconciliation.js";
import { ordering } from "./manifest.js";

const config = loadConfigOrExit("ordering-reconcile", settingsOf(ordering));
const log = createLogger("ordering-reconcile", String(config.LOG_LEVEL));
const database = ordering.database;
if (database === undefined) throw new Error("ordering declares no database");
const orm = await openDatabase({ url: String(config.DATABASE_URL), ...database, logger: log });
const minter = createServiceTokenMinter({
  service: "ordering",
  signingKey: await readSigningKey(String(config.AUTH_SIGNING_KEY_FILE)),
});
const clientOptions = { serviceToken: () => minter.token(), timeoutMs: 10_000 };
const payment = createClient(PaymentService, { address: String(config.PAYMENT_ADDR), ...clientOptions });
const inventory = createClient(InventoryInternalService, { address: String(config.INVENTORY_ADDR), ...clientOptions });
const catalog = createClient(CatalogService, { address: String(config.CATALOG_ADDR), ...clientOptions });
try {
  const result = await reconcilePayments(orm, payment, {
    onProgress: (seen) => process.stderr.write(`\r  ${seen} orders read…`),
  });
  process.stderr.write("\n");
  const seats = await reconcileSeats(
    orm,
    { inventory, catalog },
    {
      onProgress: (events) => process.stderr.write(`\r  ${events} events' seats read…`),
    },
  );
  process.stderr.write("\n");
  const cancellations = await reconcileCancellations(orm, payment);
  const discrepancies = [...result.discrepancies, ...seats.discrepancies];
  for (const found of discrepancies) {
    process.stdout.write(`order ${found.orderId} (${found.state}): ${found.problem}\n`);
  }
  for (const found of cancellations.discrepancies) process.stdout.write(`event ${found.eventId}: ${found.problem}\n`);
  const discrepancyCount = discrepancies.length + cancellations.discrepancies.length;
  // The last line keeps its form, which the benchmark and the end-to-end test read; its count is of every check.
  process.stdout.write(
    `${seats.seatLegsChecked} seat-legs in ${seats.eventsChecked} events checked against the sold-seat ledger, ` +
      `${seats.discrepancies.length} seat discrepancies\n` +
      `${cancellations.eventsChecked} cancelled events checked (${cancellations.ordersChecked} orders, ` +
      `${cancellations.capturedMinor} captured, ${cancellations.refundedMinor} refunded at the payment service), ` +
      `${cancellations.unsettledSkipped} unsettled skipped, ${cancellations.discrepancies.length} cancellation discrepancies\n` +
      `${result.ordersChecked} settled orders checked, ${result.pendingSkipped} pending skipped, ` +
      `${discrepancyCount} discrepancies\n`,
  );
  process.exitCode = discrepancyCount > 0 ? 1 : 0;
} finally {
  payment.close();
  inventory.close();
  catalog.close();
  await orm.close();
}
