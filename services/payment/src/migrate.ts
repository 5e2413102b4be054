// Runs the payment service's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { migrate } from "@marquee/mesh";
import { payment } from "./manifest.js";

await migrate(payment);
