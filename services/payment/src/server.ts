import "@marquee/mesh/telemetry";
import { serve } from "@marquee/mesh";
import { payment } from "./manifest.js";

await serve(payment);
