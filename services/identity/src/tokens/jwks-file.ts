import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import type { JWK } from "jose";

/**
 * Writes identity's verification keys into a JWKS file (`JWKS_FILE`), for the processes whose
 * `AUTH_JWKS_URL` is that file: the dev launcher's and the tests'. Keys in the file that identity never
 * issued (the launcher's development key, which signs service tokens) are kept; keys identity issued and
 * dropped are removed. Written aside and renamed into place, so a verifier never reads half a file; not
 * written at all when nothing changed, since verifiers re-read a file whose stamp moved.
 *
 * Two writers racing (identity and the launcher creating its key) can lose one's change; identity
 * republishes on every key check, so its keys come back within one interval.
 */
export async function publishJwksFile(
  path: string,
  keys: readonly JWK[],
  issuedByIdentity: ReadonlySet<string>,
): Promise<void> {
  const before = await readKeys(path);
  const kept = before.filter((key) => typeof key.kid !== "string" || !issuedByIdentity.has(key.kid));
  const after = [...keys, ...kept];
  if (JSON.stringify(after) === JSON.stringify(before)) return;
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ keys: after }, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

async function readKeys(path: string): Promise<JWK[]> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as { keys?: unknown };
    return Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [];
  } catch (error) {
    // A missing or unreadable file holds nothing to keep: it is derived data, rewritten whole.
    if (error instanceof SyntaxError || (error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
