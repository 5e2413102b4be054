import type { Redis } from "ioredis";
import { Counter, Gauge, Histogram } from "prom-client";
import type { Database } from "../database.js";
import { metricsRegistry } from "../metrics.js";

/**
 * The event bus's metrics, the same in every process: how far each outbox is behind (an event written but
 * not yet on its stream), how far each consumer group is behind (events on the stream it has not
 * acknowledged, and how old events are when it handles them), and what happened to each event.
 */
export const eventsPublished = new Counter({
  name: "marquee_events_published_total",
  help: "Events the relay moved from the outbox onto their stream.",
  labelNames: ["stream"] as const,
  registers: [metricsRegistry],
});

export const eventsConsumed = new Counter({
  name: "marquee_events_consumed_total",
  help: "Events a consumer group took from a stream, by outcome: handled, duplicate (already in the inbox), failed (left pending for a retry), dead_lettered.",
  labelNames: ["stream", "group", "outcome"] as const,
  registers: [metricsRegistry],
});

export const eventAge = new Histogram({
  name: "marquee_event_age_seconds",
  help: "Time from an event's creation to its handling by a consumer group: the group's lag in seconds.",
  labelNames: ["stream", "group"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
  registers: [metricsRegistry],
});

/** Outboxes of this process, by source, read at each scrape. */
const outboxes = new Map<string, Database>();
/** Consumer groups of this process, read at each scrape. */
const groups = new Map<string, { readonly stream: string; readonly group: string; readonly redis: Redis }>();

/**
 * Reads one number of every tracked outbox into `gauge` at scrape time, from the table itself: right
 * whichever replica holds the relay's lock, and even when that replica is stuck (its own counters would
 * stop moving, not say so). A database that is down leaves the last values: readiness reports it.
 */
async function readOutboxes(gauge: Gauge<"source">, sql: string): Promise<void> {
  for (const [source, orm] of outboxes) {
    try {
      const [row] = await orm.em.fork().execute<{ value: number | string | null }[]>(sql);
      gauge.set({ source }, Math.max(0, Number(row?.value ?? 0)));
    } catch {
      // Keep the last value rather than fail the whole scrape.
    }
  }
}

new Gauge({
  name: "marquee_outbox_events",
  help: "Events in the outbox not yet published to their stream.",
  labelNames: ["source"] as const,
  registers: [metricsRegistry],
  async collect() {
    await readOutboxes(this, "select count(*) as value from outbox");
  },
});

// Its own query, not a value the other gauge sets: a registry collects its metrics concurrently.
new Gauge({
  name: "marquee_outbox_lag_seconds",
  help: "Age of the oldest event in the outbox not yet published to its stream; 0 when it is empty.",
  labelNames: ["source"] as const,
  registers: [metricsRegistry],
  async collect() {
    await readOutboxes(this, "select extract(epoch from now() - min(created_at))::float8 as value from outbox");
  },
});

new Gauge({
  name: "marquee_consumer_backlog_events",
  help: "Events on the stream the consumer group has not acknowledged: delivered but pending, and not yet delivered (XINFO GROUPS).",
  labelNames: ["stream", "group"] as const,
  registers: [metricsRegistry],
  async collect() {
    for (const { stream, group, redis } of groups.values()) {
      try {
        const reply = (await redis.xinfo("GROUPS", stream)) as unknown[][];
        for (const fields of reply) {
          const info = new Map<string, unknown>();
          for (let at = 0; at + 1 < fields.length; at += 2) info.set(String(fields[at]), fields[at + 1]);
          if (info.get("name") !== group) continue;
          // `lag` is null when Redis cannot tell (entries deleted from the stream): count pending alone.
          this.set({ stream, group }, Number(info.get("pending") ?? 0) + Number(info.get("lag") ?? 0));
        }
      } catch {
        // Redis is down or the stream does not exist yet: nothing to say this scrape.
      }
    }
  },
});

/** Reports `orm`'s outbox (of events `source` writes) on each scrape; returns the function that stops it. */
export function trackOutbox(source: string, orm: Database): () => void {
  outboxes.set(source, orm);
  return () => {
    if (outboxes.get(source) === orm) outboxes.delete(source);
  };
}

/** Reports `group`'s backlog on `stream` on each scrape; returns the function that stops it. */
export function trackConsumerGroup(stream: string, group: string, redis: Redis): () => void {
  const key = `${stream}\u0000${group}`;
  groups.set(key, { stream, group, redis });
  return () => {
    if (groups.get(key)?.redis === redis) groups.delete(key);
  };
}
