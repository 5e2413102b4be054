import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot, type Stack } from "@marquee/scripts/stack";

/**
 * Runs ordering's reconciliation (`npm run reconcile -w @marquee/ordering`) against a running stack, as an
 * operator would, and returns what it printed: every settled order's payment against what the order says,
 * and each cancelled event's money in against its refunds. Throws when it exits non-zero.
 */
export function reconcileBooks(stack: Stack): string {
  const addressOf = (name: string) => stack.services.find((service) => service.name === name)?.address ?? "";
  return execFileSync(process.execPath, ["--import", "tsx", "services/ordering/src/reconcile.ts"], {
    cwd: repoRoot,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      AUTH_JWKS_URL: join(stack.dataDir, "keys", "jwks.json"),
      AUTH_SIGNING_KEY_FILE: join(stack.dataDir, "keys", "signing-key.json"),
      CATALOG_ADDR: addressOf("catalog"),
      INVENTORY_ADDR: addressOf("inventory"),
      PAYMENT_ADDR: addressOf("payment"),
      LOG_LEVEL: "warn",
    },
  });
}
