import "@marquee/mesh/telemetry";
import { serve } from "@marquee/mesh";
import { catalog } from "./manifest.js";

await serve(catalog);
