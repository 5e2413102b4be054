import { integer, string, url } from "@marquee/mesh";

const second = 1000;
const minute = 60 * second;

/**
 * The notification service's own variables, beside the standard ones its manifest implies (`PORT`,
 * `DATABASE_URL`, `REDIS_URL`, `ORDERING_ADDR`, `CATALOG_ADDR`, …). The retry defaults spread eight
 * attempts over about an hour and a half (2 s doubling, capped at 30 min), long enough to outlast a mail
 * server's restart or a short outage of the provider, short enough that tickets are not a day late.
 */
export const settings = {
  SMTP_URL: url("mail server to send through: smtp://user:pass@host:port, or smtps:// for implicit TLS", undefined, [
    "smtp",
    "smtps",
  ]),
  MAIL_FROM: string("sender of every mail", "Marquee <tickets@marquee.localhost>"),
  SEND_INTERVAL_MS: integer("pause between two rounds of the sender over the notifications due", 500, {
    min: 10,
    max: minute,
  }),
  SEND_BATCH_SIZE: integer("notifications one round of the sender claims at most", 20, { min: 1, max: 500 }),
  SEND_MAX_ATTEMPTS: integer("attempts after which a notification is given up (DEAD, counted and logged)", 8, {
    min: 1,
    max: 100,
  }),
  SEND_RETRY_BASE_MS: integer("pause after the first failed attempt; each later one doubles it", 2 * second, {
    min: 1,
    max: 60 * minute,
  }),
  SEND_RETRY_MAX_MS: integer("longest pause between two attempts", 30 * minute, { min: 1, max: 24 * 60 * minute }),
  SEND_LEASE_MS: integer(
    "how long a replica owns the notifications it claimed before another may take them over (a crashed sender's); longer than one round takes",
    2 * minute,
    { min: 100, max: 60 * minute },
  ),
};
