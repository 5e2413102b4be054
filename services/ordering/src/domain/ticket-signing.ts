import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from "node:crypto";
import type { Database } from "@marquee/mesh";
import { TicketSigningKeyEntity } from "../entities/ticket-signing-key.js";

/** What a ticket's QR code says, signed: enough for a check-in app to judge it offline. */
export interface TicketClaims {
  /** Ticket id. */
  readonly t: string;
  /** Event id. */
  readonly e: string;
  /** Seat id; empty for a general-admission place. */
  readonly s: string;
  /** Boarding stop id of a trip ticket; absent for an event. */
  readonly b?: string;
}

/** The payload's version tag: a check-in app refuses a format it does not know. */
const version = "mq1";

/**
 * Signs ticket QR payloads with Ed25519 and verifies them: `mq1.<key id>.<claims, base64url JSON>.<signature,
 * base64url>`, about 150 characters. The newest key signs; every key verifies, so a check-in app holding the
 * public keys judges a code without calling Marquee, and a key rotates without voiding what it signed.
 */
export class TicketSigner {
  private constructor(
    private readonly signingKeyId: string,
    private readonly privateKey: KeyObject,
    private readonly publicKeys: ReadonlyMap<string, KeyObject>,
  ) {}

  /** The signer over the keys in the database; the first start makes one. */
  static async load(orm: Database): Promise<TicketSigner> {
    const em = orm.em.fork();
    let rows = await em.find(TicketSigningKeyEntity, {}, { orderBy: { createTime: "desc" } });
    if (rows.length === 0) {
      await rotateTicketKey(orm);
      rows = await em.find(TicketSigningKeyEntity, {}, { orderBy: { createTime: "desc" } });
    }
    const newest = rows[0] as TicketSigningKeyEntity;
    return new TicketSigner(
      newest.id,
      createPrivateKey(newest.privateKey),
      new Map(rows.map((row) => [row.id, createPublicKey(row.publicKey)])),
    );
  }

  /** The public keys by id, PEM: what a check-in app is given. */
  publicKeysPem(): Record<string, string> {
    return Object.fromEntries(
      [...this.publicKeys].map(([id, key]) => [id, key.export({ type: "spki", format: "pem" }).toString()]),
    );
  }

  sign(claims: TicketClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const signed = `${version}.${this.signingKeyId}.${body}`;
    return `${signed}.${sign(null, Buffer.from(signed), this.privateKey).toString("base64url")}`;
  }

  /** The claims of a payload whose signature verifies under a known key; undefined for anything else. */
  verify(payload: string): TicketClaims | undefined {
    const parts = payload.split(".");
    if (parts.length !== 4 || parts[0] !== version) return undefined;
    const [, keyId = "", body = "", signature = ""] = parts;
    const key = this.publicKeys.get(keyId);
    if (key === undefined) return undefined;
    const signed = Buffer.from(`${version}.${keyId}.${body}`);
    if (!verify(null, signed, key, Buffer.from(signature, "base64url"))) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TicketClaims;
      return typeof claims.t === "string" && typeof claims.e === "string" ? claims : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Adds a new signing key, which signs from the next `TicketSigner.load` on; older keys still verify. */
export async function rotateTicketKey(orm: Database): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const id = randomUUID().slice(0, 8);
  await orm.em.fork().insert(TicketSigningKeyEntity, {
    id,
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    createTime: new Date(),
  });
  return id;
}
