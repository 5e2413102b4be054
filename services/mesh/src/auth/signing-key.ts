import { readFile } from "node:fs/promises";
import type { JWK } from "jose";

/**
 * Reads an ES256 private key with a `kid` from a JWK file (`AUTH_SIGNING_KEY_FILE`: the launcher's
 * development key, or a mounted Kubernetes secret); undefined when the file does not exist.
 */
export async function readSigningKeyIfAny(path: string): Promise<JWK | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return undefined;
    }
    throw err;
  }
  const jwk = JSON.parse(text) as JWK;
  const fields = [jwk.kid, jwk.x, jwk.y, jwk.d];
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || !fields.every((field) => typeof field === "string")) {
    throw new Error(`${path} is not an ES256 private JWK with a kid; delete it to create a new key pair`);
  }
  return jwk;
}

/** Reads the signing key file; throws naming the path when it is missing or not an ES256 private JWK. */
export async function readSigningKey(path: string): Promise<JWK> {
  const key = await readSigningKeyIfAny(path);
  if (key === undefined) throw new Error(`no signing key at ${path}`);
  return key;
}
