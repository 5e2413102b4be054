// Runs the catalog's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { migrate } from "@marquee/mesh";
import { catalog } from "./manifest.js";

await migrate(catalog);
