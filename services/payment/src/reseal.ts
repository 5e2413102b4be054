// Re-seals every sensitive value under PAYMENT_ENCRYPTION_KEY_ID, then exits: `npm run reseal -w @marquee/payment`,
// run after a new key is made current and before the old one leaves PAYMENT_ENCRYPTION_KEYS.
import { createLogger, loadConfigOrExit, migrationSettingsOf, openDatabase } from "@marquee/mesh";
import { settings } from "./config.js";
import { FieldCipher } from "./crypto/field-cipher.js";
import { entities } from "./entities/index.js";
import { payment } from "./manifest.js";
import { migrations } from "./migrations/index.js";
import { resealStaleValues } from "./store/reseal.js";

const config = loadConfigOrExit(payment.name, {
  ...migrationSettingsOf(payment),
  PAYMENT_ENCRYPTION_KEYS: settings.PAYMENT_ENCRYPTION_KEYS,
  PAYMENT_ENCRYPTION_KEY_ID: settings.PAYMENT_ENCRYPTION_KEY_ID,
});
const log = createLogger(payment.name, config.LOG_LEVEL);
const orm = await openDatabase({
  url: config.DATABASE_URL,
  schema: payment.database?.schema ?? payment.name,
  entities,
  migrations,
  logger: log,
});
try {
  const cipher = new FieldCipher({
    keys: config.PAYMENT_ENCRYPTION_KEYS,
    currentKeyId: config.PAYMENT_ENCRYPTION_KEY_ID,
  });
  const rows = await resealStaleValues(orm, cipher);
  log.info({ rows, key_id: cipher.currentKeyId }, "re-sealed");
} finally {
  await orm.close();
}
