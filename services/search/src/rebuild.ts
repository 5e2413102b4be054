import { type Database, eventStream, type Logger } from "@marquee/mesh";
import type { Redis } from "ioredis";
import { consumerGroup } from "./background/catalog-events.js";
import { clearReadModel } from "./store/listings.js";

/** The streams the read model is made of, in the order they are replayed. */
export const sourceStreams = [eventStream("catalog"), eventStream("inventory")] as const;

/**
 * Rebuilds the read model from nothing: empties it and the search group's inbox in one transaction, then
 * moves the group's cursor on each stream back to the start, so the consumers (running now, or at the next
 * start) replay every event catalog and inventory ever published. Streams are never trimmed (no relay sets
 * `maxLen`), so the start of a stream is the start of the platform. TRUNCATE waits for the handler
 * transactions in flight; an entry handled after it is in the inbox and the read model together, so the
 * replay skips exactly what is already applied. Entries pending when it runs are claimed again later, and
 * the inbox makes them count once.
 */
export async function rebuildReadModel(orm: Database, redis: Redis, log: Logger): Promise<void> {
  await orm.em.fork().transactional(async (em) => {
    await clearReadModel(em);
    await em.execute(`delete from inbox where consumer_group = ?`, [consumerGroup]);
  });
  for (const stream of sourceStreams) {
    try {
      await redis.xgroup("CREATE", stream, consumerGroup, "0", "MKSTREAM");
    } catch (error) {
      if (!String(error).includes("BUSYGROUP")) throw error;
      await redis.xgroup("SETID", stream, consumerGroup, "0");
    }
  }
  log.info(
    { streams: sourceStreams, group: consumerGroup },
    "read model emptied; replaying the streams from the start",
  );
}
