import "@marquee/mesh/telemetry";
import { serve } from "@marquee/mesh";
import { identity } from "./manifest.js";

await serve(identity);
