// Runs the inventory's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { migrate } from "@marquee/mesh";
import { inventory } from "./manifest.js";

await migrate(inventory);
