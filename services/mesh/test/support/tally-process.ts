// `serve(tally)` as a process, for the manifest test; TALLY_VARIANT=without-rules serves it with
// GetTotal's entry stripped of its rules, as a forgotten validator would leave it.
import { serve } from "../../src/index.js";
import { add, getTotal, tally } from "./tally-service.js";

const withoutRules = { method: getTotal.method, handler: getTotal.handler } as unknown as typeof getTotal;
await serve(process.env.TALLY_VARIANT === "without-rules" ? { ...tally, rpcs: [add, withoutRules] } : tally);
