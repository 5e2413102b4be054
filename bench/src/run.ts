/**
 * `npm run bench -- <name>`: runs one benchmark by name, or every one with `all` (the default). Each
 * starts its own stack, writes `bench/results/<name>.json` and rewrites its section of bench/README.md.
 */
import { runCheckout } from "./checkout.js";
import { runFuzzBench } from "./fuzz.js";
import { runHolds } from "./holds.js";
import { runSearch } from "./search.js";

const benchmarks: Readonly<Record<string, () => Promise<void>>> = {
  holds: runHolds,
  checkout: runCheckout,
  fuzz: runFuzzBench,
  search: runSearch,
};

const requested = process.argv[2] ?? "all";
const names = requested === "all" ? Object.keys(benchmarks) : [requested];
const unknown = names.filter((name) => benchmarks[name] === undefined);
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark "${unknown.join(", ")}"; known: ${Object.keys(benchmarks).join(", ")}, all\n`,
  );
  process.exit(64);
}
for (const name of names) await benchmarks[name]?.();
