import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Audience, mintDevToken } from "@marquee/mesh";
import type { Random } from "./random.js";

/** Who calls: nobody, a customer, the organizer owning the seeds, another organizer, an admin. */
export const tokenKinds = ["anonymous", "customer", "organizer", "other-organizer", "admin"] as const;

export type TokenKind = (typeof tokenKinds)[number];

/** A bearer token per kind (none for anonymous), and the user id behind each. */
export interface FuzzTokens {
  readonly tokens: Readonly<Record<Exclude<TokenKind, "anonymous">, string>>;
  readonly userIds: Readonly<Record<Exclude<TokenKind, "anonymous">, string>>;
}

/** New user ids, one per signed-in kind: what {@link mintFuzzTokens} mints for unless given its own. */
export function freshFuzzUserIds(): FuzzTokens["userIds"] {
  return { customer: randomUUID(), organizer: randomUUID(), "other-organizer": randomUUID(), admin: randomUUID() };
}

/**
 * Fresh users for a run, minted with the stack's development key (`<dataDir>/keys/signing-key.json`), so
 * the seeds belong to users no other test or demo data touches. A caller that must know them before
 * the stack starts (to exempt them from its rate limits) picks them with {@link freshFuzzUserIds}.
 */
export async function mintFuzzTokens(dataDir: string, userIds = freshFuzzUserIds()): Promise<FuzzTokens> {
  const signingKey = JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8"));
  const roles = {
    customer: ["customer"],
    organizer: ["customer", "organizer"],
    "other-organizer": ["customer", "organizer"],
    admin: ["customer", "organizer", "admin"],
  };
  const tokens = Object.fromEntries(
    await Promise.all(
      Object.entries(userIds).map(async ([kind, sub]) => [
        kind,
        await mintDevToken(signingKey, { sub, roles: roles[kind as keyof typeof roles] }),
      ]),
    ),
  ) as FuzzTokens["tokens"];
  return { tokens, userIds };
}

/** The token of `kind`, undefined for anonymous. */
export function tokenOf(tokens: FuzzTokens, kind: TokenKind): string | undefined {
  return kind === "anonymous" ? undefined : tokens.tokens[kind];
}

/**
 * A caller for an RPC: half the time the one its audience expects (the seeds' organizer for organizer
 * RPCs, the holds' customer for customer ones), so calls go deep, otherwise anyone.
 */
export function pickTokenKind(audience: Audience, random: Random): TokenKind {
  if (random.chance(0.5)) return random.pick(tokenKinds);
  switch (audience) {
    case Audience.ORGANIZER:
      return "organizer";
    case Audience.ADMIN:
      return "admin";
    case Audience.CUSTOMER:
      return "customer";
    default:
      return random.pick(["anonymous", "customer"] as const);
  }
}
