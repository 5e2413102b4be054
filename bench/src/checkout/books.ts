import { spawn } from "node:child_process";
import { join } from "node:path";
import type { MeshClient } from "@marquee/mesh";
import { type InventoryService, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { repoRoot, type Stack } from "@marquee/scripts/stack";
import type { ConfirmedOrder } from "./flow.js";

/**
 * The checks after the window: ordering's books against the payment service's (ordering's reconciliation,
 * `npm run reconcile -w @marquee/ordering`), and the confirmed orders' seats against the inventory's map.
 */

/** What ordering's reconciliation reported. */
export interface Reconciliation {
  readonly ordersChecked: number;
  readonly pendingSkipped: number;
  readonly discrepancies: number;
  /** One line per discrepancy: `order <id> (<state>): <problem>`. */
  readonly lines: readonly string[];
}

/** The books checked, or why they could not be: the reconciliation's output did not say. */
export type ReconcileOutcome =
  | { readonly ran: true; readonly result: Reconciliation }
  | { readonly ran: false; readonly reason: string };

const summaryLine = /^(\d+) settled orders checked, (\d+) pending skipped, (\d+) discrepancies$/m;

/** The reconciliation CLI's stdout read back; undefined when it holds no summary line. */
export function parseReconciliation(stdout: string): Reconciliation | undefined {
  const summary = summaryLine.exec(stdout);
  if (summary === null) return undefined;
  return {
    ordersChecked: Number(summary[1]),
    pendingSkipped: Number(summary[2]),
    discrepancies: Number(summary[3]),
    lines: stdout.split("\n").filter((line) => line.startsWith("order ")),
  };
}

/**
 * Runs ordering's reconciliation against the stack, as an operator does: the CLI signs its calls to the
 * payment service with ordering's service token, minted from the stack's development key. It runs as its
 * own process because `reconcilePayments` is not part of ordering's exports.
 */
export async function reconcile(stack: Stack): Promise<ReconcileOutcome> {
  const addressOf = (name: string) => stack.services.find((service) => service.name === name)?.address ?? "";
  const keys = join(stack.dataDir, "keys");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    AUTH_JWKS_URL: join(keys, "jwks.json"),
    AUTH_SIGNING_KEY_FILE: join(keys, "signing-key.json"),
    CATALOG_ADDR: addressOf("catalog"),
    INVENTORY_ADDR: addressOf("inventory"),
    PAYMENT_ADDR: addressOf("payment"),
    LOG_LEVEL: "warn",
  };
  delete env.NODE_OPTIONS;
  const { code, stdout, stderr } = await run("npm", ["run", "--silent", "reconcile", "-w", "@marquee/ordering"], env);
  const result = parseReconciliation(stdout);
  if (result === undefined) {
    return { ran: false, reason: `exit ${code}; ${`${stdout}\n${stderr}`.trim().split("\n").slice(-5).join(" | ")}` };
  }
  return { ran: true, result };
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The confirmed orders' seats against the inventory's seat map. */
export interface SeatCheck {
  readonly events: number;
  /** Seats of confirmed orders. */
  readonly expected: number;
  /** Of those, SOLD in the inventory. */
  readonly sold: number;
  /** Seats of confirmed orders that are not SOLD, the first few. */
  readonly notSold: readonly string[];
  /** SOLD seats of these events that no confirmed order of the bench names (an order whose answer was lost). */
  readonly soldUnclaimed: number;
}

/**
 * Reads every seat of every event the checkouts used (GetAvailability, page by page, straight from the
 * inventory) and checks each confirmed order's seats are SOLD, and that nothing else is.
 */
export async function checkSeats(
  inventory: MeshClient<typeof InventoryService>,
  token: string,
  confirmed: readonly ConfirmedOrder[],
): Promise<SeatCheck> {
  const byEvent = new Map<string, Set<string>>();
  for (const order of confirmed) {
    const seats = byEvent.get(order.eventId) ?? new Set<string>();
    for (const seat of order.seatIds) seats.add(seat);
    byEvent.set(order.eventId, seats);
  }
  let expected = 0;
  let sold = 0;
  let soldUnclaimed = 0;
  const notSold: string[] = [];
  for (const [eventId, seats] of byEvent) {
    expected += seats.size;
    const soldHere = new Set<string>();
    let pageToken = "";
    do {
      const page = await inventory.getAvailability(
        { eventId, includeSeats: true, pageSize: 20_000, pageToken },
        { token, timeoutMs: 60_000 },
      );
      for (const seat of page.seats) if (seat.state === SeatState.SOLD) soldHere.add(seat.seatId);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    for (const seat of seats) {
      if (soldHere.has(seat)) sold++;
      else if (notSold.length < 5) notSold.push(`${eventId}/${seat}`);
    }
    for (const seat of soldHere) if (!seats.has(seat)) soldUnclaimed++;
  }
  return { events: byEvent.size, expected, sold, notSold, soldUnclaimed };
}
