import type { Database, Logger } from "@marquee/mesh";
import type { EntityManager } from "@mikro-orm/postgresql";
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { SigningKeyEntity } from "../entities/signing-key.js";
import { publishJwksFile } from "./jwks-file.js";

/** When keys change; see {@link KeyRing}. */
export interface KeyRingOptions {
  /** How long a key signs before a new one is made. */
  readonly rotateAfterMs: number;
  /** How long a new key is published before it signs. */
  readonly publishAheadMs: number;
  /** How long a retired key stays published: the access-token lifetime plus slack. */
  readonly retainMs: number;
  /** `JWKS_FILE`, when identity also publishes its keys to a file. */
  readonly jwksFile?: string | undefined;
  readonly log: Logger;
}

/** The key that signs now: its id, for the token's header, and the private key. */
export interface Signer {
  readonly kid: string;
  readonly key: CryptoKey;
}

/**
 * Identity's ES256 signing keys, in its database so every replica signs with the same key and a restart
 * keeps them. `rotate(now)` moves them along their life (see `SigningKeyEntity`) — on start, then on every
 * key check:
 * 1. no key at all (the first start): one is made and signs at once;
 * 2. the signing key has signed for `rotateAfterMs` and no successor waits: a NEXT key is made and
 *    published, so verifiers that cache the JWKS learn it before any token carries its kid;
 * 3. a NEXT key published for `publishAheadMs` becomes CURRENT, and the old one RETIRED: it signs no
 *    more, and verifies what it signed;
 * 4. a key RETIRED for `retainMs` (every token it signed has expired) is DROPPED from the JWKS.
 * Nobody is signed out by a rotation: refresh tokens are not JWTs, and every access token verifies until
 * it expires. Replicas take turns under an advisory lock, so two never make two keys; each picks up the
 * others' changes at its next check.
 */
export class KeyRing {
  private signer: Signer | undefined;
  private published: readonly JWK[] = [];

  constructor(
    private readonly orm: Database,
    private readonly options: KeyRingOptions,
  ) {}

  /** The key to sign with. Throws before the first `rotate`. */
  current(): Signer {
    if (this.signer === undefined) throw new Error("the key ring signs only after its first rotate()");
    return this.signer;
  }

  /** The public keys that verify tokens now, newest first: GetJwks's answer. */
  verificationKeys(): readonly JWK[] {
    return this.published;
  }

  /** Brings the keys to where they should be at `now` (see the class), then reloads and republishes them. */
  async rotate(now: Date = new Date()): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      await em.execute("select pg_advisory_xact_lock(hashtextextended('marquee.identity.signing_key', 0))");
      await this.advance(em, now);
    });
    await this.load();
  }

  private async advance(em: EntityManager, now: Date): Promise<void> {
    const { rotateAfterMs, publishAheadMs, retainMs, log } = this.options;
    const live = await em.find(SigningKeyEntity, { state: { $ne: "DROPPED" } }, { orderBy: { createTime: "asc" } });
    let current = live.find((key) => key.state === "CURRENT");
    let next = live.find((key) => key.state === "NEXT");
    if (current === undefined && next === undefined) {
      current = await insertKey(em, "CURRENT", now);
      log.info({ kid: current.kid }, "first signing key made");
      return;
    }
    if (current !== undefined && next === undefined && (current.activateTime ?? now) <= ago(now, rotateAfterMs)) {
      next = await insertKey(em, "NEXT", now);
      log.info({ kid: next.kid, signsFrom: new Date(now.getTime() + publishAheadMs) }, "next signing key published");
    }
    // A NEXT key without a CURRENT one (a crash between the two updates cannot leave that, but a manual
    // repair might) is promoted at once: something must sign.
    if (next !== undefined && (current === undefined || next.createTime <= ago(now, publishAheadMs))) {
      // Retire before promoting: at most one CURRENT key, which the unique index checks statement by statement.
      if (current !== undefined) {
        await em.nativeUpdate(SigningKeyEntity, { kid: current.kid }, { state: "RETIRED", retireTime: now });
      }
      await em.nativeUpdate(SigningKeyEntity, { kid: next.kid }, { state: "CURRENT", activateTime: now });
      log.info({ kid: next.kid, retired: current?.kid }, "signing key rotated");
    }
    const expired = await em.nativeUpdate(
      SigningKeyEntity,
      { state: "RETIRED", retireTime: { $lte: ago(now, retainMs) } },
      { state: "DROPPED", privateJwk: null, dropTime: now },
    );
    if (expired > 0) log.info({ count: expired }, "retired signing keys dropped from the JWKS");
  }

  /** Reads the keys as the database has them, and publishes them to `JWKS_FILE` when set. */
  private async load(): Promise<void> {
    const rows = await this.orm.em.fork().find(SigningKeyEntity, {}, { orderBy: { createTime: "desc" } });
    const current = rows.find((row) => row.state === "CURRENT");
    if (current?.privateJwk == null) throw new Error("no CURRENT signing key after rotate()");
    if (this.signer?.kid !== current.kid) {
      this.signer = { kid: current.kid, key: (await importJWK(current.privateJwk, "ES256")) as CryptoKey };
    }
    this.published = rows.filter((row) => row.state !== "DROPPED").map((row) => row.publicJwk);
    if (this.options.jwksFile) {
      await publishJwksFile(this.options.jwksFile, this.published, new Set(rows.map((row) => row.kid)));
    }
  }
}

function ago(now: Date, ms: number): Date {
  return new Date(now.getTime() - ms);
}

async function insertKey(em: EntityManager, state: "CURRENT" | "NEXT", now: Date): Promise<SigningKeyEntity> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  // The RFC 7638 thumbprint: a kid derived from the key itself, so no two keys ever share one.
  const kid = await calculateJwkThumbprint({ kty, crv, x, y } as JWK);
  const publicJwk: JWK = { kid, kty, crv, x, y, alg: "ES256", use: "sig" };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const row: SigningKeyEntity = {
    kid,
    state,
    privateJwk,
    publicJwk,
    createTime: now,
    activateTime: state === "CURRENT" ? now : null,
    retireTime: null,
    dropTime: null,
  };
  await em.insert(SigningKeyEntity, row);
  return row;
}
