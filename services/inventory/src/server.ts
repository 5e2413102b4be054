import "@marquee/mesh/telemetry";
import { serve } from "@marquee/mesh";
import { inventory } from "./manifest.js";

await serve(inventory);
