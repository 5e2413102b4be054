import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { normalPassword } from "./password-policy.js";

/** scrypt's cost parameters (RFC 7914): N = 2^logN, block size r, parallelism p. */
export interface ScryptCost {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

const saltBytes = 16;
const hashBytes = 32;

/**
 * A stored password hash in the PHC string format, `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64 without
 * padding): the parameters travel with each hash, so raising the cost applies to new hashes at once and
 * to old ones at their next sign-in ({@link needsRehash}), and every old hash still verifies.
 */
const phcPattern = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Hashes passwords with scrypt from node:crypto, each with its own random salt, off the event loop
 * (libuv's thread pool), and verifies them in constant time. At logN 15 one hash takes ~32 MiB and
 * ~80 ms of one core on the 2-core reference machine (measured).
 */
export class PasswordHasher {
  /** A hash of a random password, for sign-ins of unknown emails: see {@link verifyOrPretend}. */
  private readonly dummy: Promise<string>;

  constructor(private readonly cost: ScryptCost) {
    this.dummy = this.hash(randomBytes(24).toString("base64"));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(saltBytes);
    const derived = await derive(normalPassword(password), salt, this.cost);
    const { logN, r, p } = this.cost;
    return `$scrypt$ln=${logN},r=${r},p=${p}$${unpadded(salt)}$${unpadded(derived)}`;
  }

  /** Whether `password` is the one `stored` was made from; false for a hash in no form this knows. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (parsed === undefined) return false;
    const derived = await derive(normalPassword(password), parsed.salt, parsed.cost);
    return derived.length === parsed.hash.length && timingSafeEqual(derived, parsed.hash);
  }

  /**
   * {@link verify} against `stored`, or, when there is none (an unknown email, an account without a
   * password), against a hash of a random password at the current cost — always false, but only after
   * the same scrypt work, so the answer's timing does not tell whether the account exists.
   */
  async verifyOrPretend(password: string, stored: string | null | undefined): Promise<boolean> {
    if (stored === null || stored === undefined) {
      await this.verify(password, await this.dummy);
      return false;
    }
    return this.verify(password, stored);
  }

  /** Whether `stored` was made at a lower cost than the current one, and is worth hashing again. */
  needsRehash(stored: string): boolean {
    const parsed = parse(stored);
    if (parsed === undefined) return true;
    const { logN, r, p } = parsed.cost;
    return logN < this.cost.logN || r < this.cost.r || p < this.cost.p;
  }
}

function derive(password: string, salt: Buffer, { logN, r, p }: ScryptCost): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; Node refuses above maxmem (32 MiB by default), which logN 15 reaches.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, hashBytes, options, (error, derived) => (error ? reject(error) : resolve(derived)));
  });
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | undefined {
  const match = phcPattern.exec(stored);
  if (match === null) return undefined;
  const [, logN, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  return {
    cost: { logN: Number(logN), r: Number(r), p: Number(p) },
    salt: Buffer.from(salt, "base64"),
    hash: Buffer.from(hash, "base64"),
  };
}

function unpadded(bytes: Buffer): string {
  return bytes.toString("base64").replace(/=+$/, "");
}
