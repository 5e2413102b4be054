/**
 * `npm run reconcile -w @marquee/ordering`: checks ordering's books against the payment service's (see
 * domain/reconciliation.ts) on a running stack, printing each discrepancy; exits 1 when there is one.
 * Reads the same variables as the service (`DATABASE_URL`, `PAYMENT_ADDR`, `AUTH_SIGNING_KEY_FILE`…).
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
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { reconcilePayments } from "./domain/reconciliation.js";
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
const payment = createClient(PaymentService, {
  address: String(config.PAYMENT_ADDR),
  serviceToken: () => minter.token(),
  timeoutMs: 10_000,
});
try {
  const result = await reconcilePayments(orm, payment, {
    onProgress: (seen) => process.stderr.write(`\r  ${seen} orders read…`),
  });
  process.stderr.write("\n");
  for (const found of result.discrepancies) {
    process.stdout.write(`order ${found.orderId} (${found.state}): ${found.problem}\n`);
  }
  process.stdout.write(
    `${result.ordersChecked} settled orders checked, ${result.pendingSkipped} pending skipped, ` +
      `${result.discrepancies.length} discrepancies\n`,
  );
  process.exitCode = result.discrepancies.length > 0 ? 1 : 0;
} finally {
  payment.close();
  await orm.close();
}
