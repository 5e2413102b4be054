// Runs the notification service's pending migrations and exits: `npm run migrate`, the launcher, the chart's job.
import { migrate } from "@marquee/mesh";
import { notification } from "./manifest.js";

await migrate(notification);
