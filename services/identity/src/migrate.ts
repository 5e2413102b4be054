// Runs identity's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { migrate } from "@marquee/mesh";
import { identity } from "./manifest.js";

await migrate(identity);
