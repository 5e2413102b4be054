/**
 * Text as the read model compares it: accents and case folded away in TypeScript, so the stored column and
 * the query fold alike (PostgreSQL's `unaccent` is not IMMUTABLE and so cannot sit in an index expression),
 * and split into words of letters and digits.
 */

/** `"Jessóre  Bus-Stand"` → `"jessore  bus-stand"`: NFD, combining marks dropped, lower case. */
export function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** The words of a text, folded: runs of letters and digits. `"Coldplay — Music"` → `["coldplay", "music"]`. */
export function wordsOf(text: string): string[] {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A folded text reduced to its words joined by single spaces, for word-start matching with `LIKE`. */
export function keyOf(text: string): string {
  return wordsOf(text).join(" ");
}
