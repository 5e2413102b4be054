import { type DescField, type DescMessage, type Message, toJson } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";

/**
 * What the fuzzer knows of the stack's data, so that a generated request can name something real and get
 * past validation: ids by kind (`event`, `hold`, `seat`, `stop`, …) and whole resources by message type
 * (a seeded Venue, Event, Hold), which serve as templates a request changes a little. Filled from the
 * seeds before the run and from successful answers during it.
 */
export class Fixtures {
  private readonly ids = new Map<string, string[]>();
  private readonly templates = new Map<string, Message[]>();
  private readonly excluded = new Set<string>();
  private readonly words = new Map<string, string[]>();
  private readonly schemas = new Map<string, DescMessage>();

  /** At most this many ids of one kind and templates of one type are kept, the newest. */
  constructor(private readonly capacity = 64) {}

  /** Ids never to learn, nor any template holding one: the seeds only reads may name. */
  exclude(ids: readonly string[]): void {
    for (const id of ids) this.excluded.add(id);
    for (const [kind, list] of this.ids)
      this.ids.set(
        kind,
        list.filter((id) => !this.excluded.has(id)),
      );
    for (const [typeName, list] of this.templates) {
      this.templates.set(
        typeName,
        list.filter(
          (message) => !this.isExcluded(JSON.stringify(toJson(this.schemas.get(typeName) as DescMessage, message))),
        ),
      );
    }
  }

  /** Records an id of `kind` (`venue`, `price_tier`, …). */
  addId(kind: string, id: string): void {
    if (id === "" || this.excluded.has(id)) return;
    const list = this.ids.get(kind) ?? [];
    if (list.includes(id)) return;
    list.push(id);
    if (list.length > this.capacity) list.shift();
    this.ids.set(kind, list);
  }

  /** The ids a field should name: those of its kind, or every id when the field's kind is unknown. */
  idsFor(field: DescField): readonly string[] {
    const kind = idKindOf(field);
    if (kind === undefined) return [];
    const exact = this.ids.get(kind);
    if (exact !== undefined && exact.length > 0) return exact;
    const suffixed = [...this.ids.entries()].find(
      ([known]) => kind.endsWith(`_${known}`) || known.endsWith(`_${kind}`),
    );
    if (suffixed !== undefined) return suffixed[1];
    return [...this.ids.values()].flat();
  }

  /** Values the stack has stored in a string field of this name that names nothing (`currency_code`: BDT). */
  wordsFor(field: DescField): readonly string[] {
    return this.words.get(field.name) ?? [];
  }

  /** Every id known, of any kind. */
  allIds(): string[] {
    return [...this.ids.values()].flat();
  }

  /** Templates of a message type: real resources a request may carry, changed a little. */
  templatesOf(schema: DescMessage): readonly Message[] {
    return this.templates.get(schema.typeName) ?? [];
  }

  /**
   * Learns from a message the stack returned (or a seed): itself as a template, and its ids and those of
   * every message inside it, by the kind their field names say.
   */
  learn(schema: DescMessage, message: Message): void {
    this.walk(schema, message, 0);
  }

  private walk(schema: DescMessage, message: Message, depth: number): void {
    if (depth > 8) return;
    if (depth > 0 && !isWellKnown(schema)) this.addTemplate(schema, message);
    const r = reflect(schema, message);
    for (const field of r.fields) {
      if (!r.isSet(field)) continue;
      const value = r.get(field) as unknown;
      if (field.fieldKind === "scalar" && typeof value === "string" && idKindOf(field) !== undefined) {
        this.addId(idKindOf(field) as string, value);
      } else if (field.fieldKind === "scalar" && typeof value === "string") {
        this.addWord(field.name, value);
      } else if (field.fieldKind === "list" && field.listKind === "scalar" && idKindOf(field) !== undefined) {
        for (const item of value as Iterable<unknown>) {
          if (typeof item === "string") this.addId(idKindOf(field) as string, item);
        }
      } else if (field.fieldKind === "message") {
        this.walk(field.message, (value as { message: Message }).message, depth + 1);
      } else if (field.fieldKind === "list" && field.listKind === "message") {
        let count = 0;
        for (const item of value as Iterable<{ message: Message }>) {
          if (count++ >= 8) break;
          this.walk(field.message, item.message, depth + 1);
        }
      }
    }
  }

  private addWord(name: string, value: string): void {
    if (value === "" || value.length > 200) return;
    const list = this.words.get(name) ?? [];
    if (list.includes(value) || list.length >= 16) return;
    list.push(value);
    this.words.set(name, list);
  }

  private isExcluded(json: string): boolean {
    for (const id of this.excluded) if (json.includes(id)) return true;
    return false;
  }

  private addTemplate(schema: DescMessage, message: Message): void {
    const list = this.templates.get(schema.typeName) ?? [];
    const json = JSON.stringify(toJson(schema, message));
    if (this.isExcluded(json)) return;
    this.schemas.set(schema.typeName, schema);
    if (list.some((known) => JSON.stringify(toJson(schema, known)) === json)) return;
    list.push(message);
    if (list.length > this.capacity) list.shift();
    this.templates.set(schema.typeName, list);
  }
}

/**
 * The kind of thing a string field names, from its name alone, so any service's fields are understood:
 * `event_id` and `event_ids` name an `event`, `boarding_stop_id` a `boarding_stop` (found as `stop`), a
 * bare `id` whatever its message is (`id` of a TripStop names a `trip_stop`, found as `stop`), and
 * `page_token` or `next_page_token` a page token. Undefined for fields that name nothing.
 */
export function idKindOf(field: DescField): string | undefined {
  const name = field.name;
  if (name === "id") return snakeCase(field.parent.name);
  if (name.endsWith("page_token") || name === "cursor") return "page_token";
  const match = /^(.+)_ids?$/.exec(name);
  return match?.[1];
}

function snakeCase(name: string): string {
  return name.replace(/(?<=[a-z0-9])([A-Z])/g, "_$1").toLowerCase();
}

function isWellKnown(schema: DescMessage): boolean {
  return schema.typeName.startsWith("google.protobuf.");
}
