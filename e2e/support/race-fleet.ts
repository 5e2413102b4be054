import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { repoRoot } from "@marquee/scripts/stack";
import type { BuyerRecord, FromWorker, RaceOrder, ToWorker } from "./race-protocol.js";

const workerEntry = fileURLToPath(new URL("./race-worker.ts", import.meta.url));

/** What a race gave back: when the start signal went out, and every buyer's calls. */
export interface RaceResult {
  /** Just before the start signal was sent to the first worker. */
  readonly goAt: number;
  /** How late the last worker received it, after `goAt`. */
  readonly signalSpreadMs: number;
  readonly buyers: readonly BuyerRecord[];
}

/** Worker processes that play the buyers of one race after another. */
export interface Fleet {
  /**
   * Hands each worker its order, waits until every one has minted its tokens and opened its connections,
   * then gives all of them the start signal at once; `onGo` runs just before it (to start watchers).
   */
  race(orders: readonly RaceOrder[], onGo?: () => void): Promise<RaceResult>;
  /** Stops every worker and waits until each has exited. */
  close(): Promise<void>;
}

/** A worker and the messages it sent that nobody has taken yet. */
class Worker {
  private readonly inbox: FromWorker[] = [];
  private waiting: ((message: FromWorker) => void) | undefined;
  private exitCode: number | null | undefined;

  constructor(readonly process: ChildProcess) {
    process.on("message", (message: FromWorker) => {
      if (this.waiting) this.waiting(message);
      else this.inbox.push(message);
    });
    process.once("exit", (code) => {
      this.exitCode = code;
      this.waiting?.({ type: "failed", error: `the worker exited with ${code}` });
    });
  }

  send(message: ToWorker): void {
    this.process.send(message);
  }

  /** The next message, which must be of `type`; a "failed" one, or an exit, rejects. */
  async next<T extends FromWorker["type"]>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    const message =
      this.inbox.shift() ??
      (this.exitCode !== undefined
        ? ({ type: "failed", error: `the worker exited with ${this.exitCode}` } as const)
        : await new Promise<FromWorker>((resolve) => {
            this.waiting = (received) => {
              this.waiting = undefined;
              resolve(received);
            };
          }));
    if (message.type === "failed") throw new Error(`race worker ${this.process.pid} failed: ${message.error}`);
    if (message.type !== type) throw new Error(`race worker ${this.process.pid} said ${message.type}, not ${type}`);
    return message as Extract<FromWorker, { type: T }>;
  }
}

/**
 * Starts `size` worker processes, each this Node with tsx as the launcher runs services, and waits until
 * each has loaded. Their output goes to the test's.
 */
export async function startFleet(size: number): Promise<Fleet> {
  const workers = Array.from(
    { length: size },
    () =>
      new Worker(
        spawn(process.execPath, ["--import", "tsx", workerEntry], {
          cwd: repoRoot,
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        }),
      ),
  );
  const fleet: Fleet = {
    async race(orders, onGo) {
      if (orders.length !== workers.length) throw new Error(`${orders.length} orders for ${workers.length} workers`);
      workers.forEach((worker, i) => {
        worker.send({ type: "prepare", order: orders[i] as RaceOrder });
      });
      await Promise.all(workers.map((worker) => worker.next("ready")));
      onGo?.();
      const goAt = Date.now();
      for (const worker of workers) worker.send({ type: "go" });
      const done = await Promise.all(workers.map((worker) => worker.next("done")));
      return {
        goAt,
        signalSpreadMs: Math.max(...done.map((d) => d.goReceivedAt)) - goAt,
        buyers: done.flatMap((d) => d.buyers),
      };
    },
    async close() {
      await Promise.all(
        workers.map(async ({ process: child }) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          if (child.connected) child.send({ type: "stop" } satisfies ToWorker);
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
  try {
    await Promise.all(workers.map((worker) => worker.next("up")));
  } catch (error) {
    await fleet.close();
    throw error;
  }
  return fleet;
}
