import type { Checker } from "@marquee/mesh";
import type { Section } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/** A section id: what the request gives, or what is derived from the section's name. */
export const sectionIdPattern = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * A section id from a display name: lower-case ASCII letters and digits joined by '-', at most 32
 * characters ("Floor A" → "floor-a"); empty when the name has none (a name in another script).
 */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 32)
    .replace(/-+$/, "");
}

/** The id a seat gets when the request gives none: `<section>:<row>-<seat>`, e.g. `floor-a:B-12`. */
export function seatIdOf(sectionId: string, rowLabel: string, seatLabel: string): string {
  return `${sectionId}:${rowLabel}-${seatLabel}`;
}

/**
 * Section ids in order: the given ones, and for the others the slug of the name (or `section-<n>`), made
 * unique with `-2`, `-3`… Given ids that are malformed or repeated are reported.
 */
export function sectionIds(sections: readonly Section[], check: Checker, path: string): string[] {
  const given = new Set<string>();
  sections.forEach((section, i) => {
    if (section.id === "") return;
    if (!check.matches(`${path}[${i}].id`, section.id, sectionIdPattern, "must be 1 to 32 of a-z, 0-9 and '-'")) return;
    check.that(`${path}[${i}].id`, !given.has(section.id), `repeats ${JSON.stringify(section.id)}`);
    given.add(section.id);
  });
  const taken = new Set(given);
  return sections.map((section, i) => {
    if (section.id !== "") return section.id;
    const base = slugOf(section.name) || `section-${i + 1}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 31 - String(n).length)}-${n}`;
    taken.add(id);
    return id;
  });
}
