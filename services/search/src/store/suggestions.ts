import type { EntityManager } from "@mikro-orm/postgresql";
import { keyOf } from "../domain/text.js";

/** A completion found in the read model, with what ranks it. */
export interface Candidate {
  readonly text: string;
  readonly type: "TITLE" | "CITY" | "VENUE";
  readonly eventId: string;
  readonly city: string;
  /** Whether the prefix starts the text itself (not a later word): ranked first. */
  readonly isLeading: boolean;
  /** Upcoming results it names: ranked next. */
  readonly count: number;
}

/**
 * Titles, cities and venues of upcoming listings with a word starting with `prefixKey` (folded: `keyOf`),
 * `limit` of each type asked for, each deduplicated (a title per city, a city, a venue per city).
 */
export async function findCandidates(
  em: EntityManager,
  prefixKey: string,
  types: ReadonlySet<Candidate["type"]>,
  limit: number,
): Promise<Candidate[]> {
  const [leading, inner] = [`${prefixKey}%`, `% ${prefixKey}%`];
  const now = new Date().toISOString();
  const found: Candidate[] = [];
  if (types.has("TITLE")) {
    const tsquery = prefixKey
      .split(" ")
      .map((word) => `'${word}':*`)
      .join(" & ");
    const rows = await em.execute<{ title: string; city: string; event_id: string; count: number }[]>(
      `select title, city, (array_agg(event_id order by start_time, event_id))[1] as event_id, count(*)::int as count
       from listing where title_words @@ to_tsquery('simple', ?) and start_time >= ?
       group by title, city order by count(*) desc, min(start_time) limit ?`,
      [tsquery, now, limit],
    );
    for (const row of rows) {
      const isLeading = keyOf(row.title).startsWith(prefixKey);
      found.push({
        text: row.title,
        type: "TITLE",
        eventId: row.event_id,
        city: row.city,
        isLeading,
        count: row.count,
      });
    }
  }
  if (types.has("CITY")) {
    const rows = await em.execute<{ name: string; key: string; count: number }[]>(
      `select min(c.name) as name, c.key, count(*)::int as count
       from listing l cross join lateral unnest(l.city_names, l.city_keys) as c (name, key)
       where l.start_time >= ? and (c.key like ? or c.key like ?)
       group by c.key order by count(*) desc, c.key limit ?`,
      [now, leading, inner, limit],
    );
    for (const row of rows) {
      found.push({
        text: row.name,
        type: "CITY",
        eventId: "",
        city: "",
        isLeading: row.key.startsWith(prefixKey),
        count: row.count,
      });
    }
  }
  if (types.has("VENUE")) {
    const rows = await em.execute<{ name: string; city: string; key: string; count: number }[]>(
      `select min(venue_name) as name, min(city) as city, venue_key as key, count(*)::int as count
       from listing where kind = 'EVENT' and start_time >= ? and (venue_key like ? or venue_key like ?)
       group by venue_key, city_keys order by count(*) desc, venue_key limit ?`,
      [now, leading, inner, limit],
    );
    for (const row of rows) {
      found.push({
        text: row.name,
        type: "VENUE",
        eventId: "",
        city: row.city,
        isLeading: row.key.startsWith(prefixKey),
        count: row.count,
      });
    }
  }
  return found;
}
