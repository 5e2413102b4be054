import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Setting } from "../config.js";

/**
 * Sensitive columns are stored sealed with AES-256-GCM under a key id, as `<kid>:<iv>:<ciphertext+tag>`
 * (iv and ciphertext in base64url). The kid names the key that sealed the value, so a keyring may hold
 * several keys: the current one seals, every one opens. Rotating is adding a key and making it current;
 * rows sealed under the old key keep reading until they are sealed again under the new one, after which
 * the old key can be dropped.
 *
 * Each value is bound to its place (`payment.card_last4:<payment id>`, `totp_factor.secret:<user id>`) as
 * GCM's additional data, so a sealed value copied into another row or column does not open.
 *
 * Used by payment (gateway ids, card details) and identity (TOTP secrets); each service has its own
 * keyring variables and development key.
 */

/** The keys that open sealed values, by kid, and the kid of the one that seals. */
export interface Keyring {
  readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;
}

/** A kid: letters, digits, `_` and `-`, so the `:`-separated form stays unambiguous. */
const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;

/**
 * Parses `kid1:base64key,kid2:base64key` (standard or url-safe base64 of 32 bytes each); throws naming
 * the first bad entry, never echoing a key.
 */
export function parseKeys(list: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const [index, entry] of list.split(",").entries()) {
    const separator = entry.indexOf(":");
    const kid = entry.slice(0, separator).trim();
    const encoded = entry.slice(separator + 1).trim();
    if (separator < 0 || !keyIdPattern.test(kid)) {
      throw new Error(`entry ${index + 1} must be <kid>:<base64 key> with a kid of letters, digits, _ or -`);
    }
    if (keys.has(kid)) throw new Error(`kid "${kid}" is given twice`);
    const key = Buffer.from(encoded, "base64");
    if (key.length !== keyBytes) throw new Error(`the key of kid "${kid}" must be ${keyBytes} bytes in base64`);
    keys.set(kid, key);
  }
  return keys;
}

/**
 * A keyring variable (`kid:base64key,…`), parsed and checked at start-up with every other variable, and
 * never printed.
 */
export function keyringSetting(doc: string, defaultValue: string): Setting<ReadonlyMap<string, Buffer>> {
  return { doc, isSecret: true, defaultValue: parseKeys(defaultValue), parse: parseKeys };
}

/** Seals and opens column values under a keyring. */
export class FieldCipher {
  constructor(private readonly keyring: Keyring) {
    if (!keyring.keys.has(keyring.currentKeyId)) {
      throw new Error(`the current key id "${keyring.currentKeyId}" is not in the keyring`);
    }
  }

  /** The kid new values are sealed under. */
  get currentKeyId(): string {
    return this.keyring.currentKeyId;
  }

  /** `plaintext` sealed under the current key, bound to `place`. */
  seal(plaintext: string, place: string): string {
    const kid = this.keyring.currentKeyId;
    const key = this.keyring.keys.get(kid) as Buffer;
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagBytes });
    cipher.setAAD(Buffer.from(place, "utf8"));
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${kid}:${iv.toString("base64url")}:${sealed.toString("base64url")}`;
  }

  /** `null` stays `null`: a nullable column sealed. */
  sealOrNull(plaintext: string | null | undefined, place: string): string | null {
    return plaintext === null || plaintext === undefined ? null : this.seal(plaintext, place);
  }

  /**
   * The plaintext of a value sealed under any key of the keyring for `place`. Throws when the kid is
   * unknown (a key dropped too early) or the value was altered or moved.
   */
  open(sealed: string, place: string): string {
    const [kid = "", iv = "", body = ""] = sealed.split(":");
    const key = this.keyring.keys.get(kid);
    if (key === undefined) throw new Error(`no key "${kid}" in the keyring to open ${place.split(":")[0]}`);
    const bytes = Buffer.from(body, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: tagBytes });
    decipher.setAAD(Buffer.from(place, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - tagBytes)), decipher.final()]).toString(
      "utf8",
    );
  }

  /** `open` for a nullable column. */
  openOrNull(sealed: string | null | undefined, place: string): string | null {
    return sealed === null || sealed === undefined ? null : this.open(sealed, place);
  }

  /** Whether a sealed value is under a key other than the current one (what a reseal moves). */
  isStale(sealed: string | null | undefined): boolean {
    return sealed !== null && sealed !== undefined && keyIdOf(sealed) !== this.keyring.currentKeyId;
  }
}

/** The kid a value was sealed under. */
export function keyIdOf(sealed: string): string {
  return sealed.slice(0, sealed.indexOf(":"));
}
