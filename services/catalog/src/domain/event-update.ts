import { clone, create, type DescField, equals } from "@bufbuild/protobuf";
import { type Event, EventKind, EventSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/** Fields UpdateEvent may name in its update mask, by proto name; an empty mask means all of them. */
export const updatableFields = [
  "category",
  "title",
  "description",
  "venue_id",
  "start_time",
  "end_time",
  "stops",
  "currency_code",
  "price_tiers",
  "fares",
  "hold_policy",
  "sales_start_time",
  "sales_end_time",
] as const;

/** Of those, what a published event may still change: its seat map, venue, route and times stay as sold. */
export const editableAfterPublication: ReadonlySet<string> = new Set([
  "title",
  "description",
  "price_tiers",
  "fares",
  "hold_policy",
  "sales_start_time",
  "sales_end_time",
]);

function fieldOf(name: string): DescField {
  const field = EventSchema.fields.find((candidate) => candidate.name === name);
  if (field === undefined) throw new Error(`marquee.catalog.v1.Event has no field ${name}`);
  return field;
}

type Fields = Record<string, unknown>;

/**
 * The event after an update: `current` with the named fields taken from `patch`. A trip's start and end
 * follow its route unless the update sets them, so they are cleared here for `normalizeEvent` to derive.
 */
export function mergeEvent(current: Event, patch: Event, fields: readonly string[]): Event {
  const merged = clone(EventSchema, current);
  const copy = clone(EventSchema, patch);
  for (const name of fields) {
    const { localName } = fieldOf(name);
    (merged as unknown as Fields)[localName] = (copy as unknown as Fields)[localName];
  }
  if (merged.kind === EventKind.TRIP) {
    if (!fields.includes("start_time")) merged.startTime = undefined;
    if (!fields.includes("end_time")) merged.endTime = undefined;
  }
  return merged;
}

/** Which of `fields` differ between two versions of an event, in the order given. */
export function changedFields(before: Event, after: Event, fields: readonly string[]): string[] {
  return fields.filter((name) => {
    const { localName } = fieldOf(name);
    const [a, b] = [create(EventSchema), create(EventSchema)];
    (a as unknown as Fields)[localName] = (before as unknown as Fields)[localName];
    (b as unknown as Fields)[localName] = (after as unknown as Fields)[localName];
    return !equals(EventSchema, a, b);
  });
}
