import { defineService } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { NotificationService } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { OrderingInternalService } from "@marquee/proto/marquee/ordering/v1/ordering_internal_pb.js";
import { followCatalog } from "./background/catalog-events.js";
import { followOrdering } from "./background/order-events.js";
import { startSender } from "./background/sender.js";
import { settings } from "./config.js";
import { entities } from "./entities/index.js";
import { Mailer } from "./mail/mailer.js";
import { migrations } from "./migrations/index.js";
import type { Notifications } from "./notifications.js";
import * as rpcs from "./rpc/index.js";

/**
 * The notification service: follows ordering's and catalog's events, records one notification per event
 * and recipient, and mails them over SMTP — the tickets with QR codes and a calendar entry, refunds,
 * cancellations — with retries and a dead letter; ListMyNotifications. Ordering is called on its internal
 * service (an order's tickets whoever bought it), catalog on its public one (an event's details).
 */
export const notification = defineService({
  name: "notification",
  ports: { grpc: 50058, metrics: 9458 },
  upstreams: { ordering: OrderingInternalService, catalog: CatalogService },
  settings,
  database: { schema: "notification", entities, migrations },
  redis: true,
  services: [NotificationService],
  rpcs: Object.values(rpcs),
  compose({ config, log, orm, redis, upstreams, replica }) {
    const mailer = new Mailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
    const deps: Notifications = { orm, log };
    const sender = { orm, log, mailer, sources: { ordering: upstreams.ordering, catalog: upstreams.catalog } };
    return {
      deps,
      background: [
        () => followOrdering(orm, redis, replica, log),
        () => followCatalog(orm, redis, replica, log),
        () =>
          startSender(sender, {
            intervalMs: config.SEND_INTERVAL_MS,
            batchSize: config.SEND_BATCH_SIZE,
            leaseMs: config.SEND_LEASE_MS,
            maxAttempts: config.SEND_MAX_ATTEMPTS,
            baseMs: config.SEND_RETRY_BASE_MS,
            maxMs: config.SEND_RETRY_MAX_MS,
          }),
      ],
      close: [() => mailer.close()],
    };
  },
});
