// Runs the search service's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { migrate } from "@marquee/mesh";
import { search } from "./manifest.js";

await migrate(search);
