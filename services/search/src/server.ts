import "@marquee/mesh/telemetry";
import { serve } from "@marquee/mesh";
import { search } from "./manifest.js";

await serve(search);
