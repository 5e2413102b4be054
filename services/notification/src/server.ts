import "@marquee/mesh/telemetry";
import { serve } from "@marquee/mesh";
import { notification } from "./manifest.js";

await serve(notification);
