import "@marquee/mesh/telemetry";
import { serve } from "@marquee/mesh";
import { ordering } from "./manifest.js";

await serve(ordering);
