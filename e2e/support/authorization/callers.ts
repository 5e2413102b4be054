import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CallOptions, Client } from "@connectrpc/connect";
import { createLogger, openDatabase } from "@marquee/mesh";
import type { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { JWK } from "jose";

/**
 * The callers of the matrix, in the order its table prints them. Users are real identity accounts, signed
 * in through the BFF: identity reads the caller's account on every signed-in RPC, so a token of nobody
 * would be refused by identity for a reason that is not access.
 */
export const callerNames = [
  "anonymous",
  "customer",
  "other customer",
  "organizer",
  "other organizer",
  "admin",
  "partner with scope",
  "partner without",
] as const;

export type CallerName = (typeof callerNames)[number];

/** The table's column heading of a caller. */
export const columnOf: Readonly<Record<CallerName, string>> = {
  anonymous: "anon",
  customer: "cust",
  "other customer": "cust2",
  organizer: "org",
  "other organizer": "org2",
  admin: "admin",
  "partner with scope": "p+scope",
  "partner without": "p-scope",
};

/** A role of the contract, as identity stores it. */
export type RoleName = "customer" | "organizer" | "admin";

/** A signed-in identity account. */
export interface Account {
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly roles: readonly RoleName[];
}

/** The password every account of these tests has: the policy takes it (12+ characters, not common). */
export const accountPassword = "seven lanterns over the river";

/** A Connect call's options with `token` as its bearer (none for undefined), and a deadline a slow machine meets. */
export function as(token: string | undefined, timeoutMs = 30_000): CallOptions {
  return { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, timeoutMs };
}

/**
 * Registers an account through the BFF's IdentityService, gives it `roles` and signs it in, so its access
 * token carries them. No RPC can make the first admin or organizer, so the roles are written into
 * identity's table, as identity's own tests seed them (`grantRoles` of `@marquee/identity/testing`).
 */
export async function signUp(
  identity: Client<typeof IdentityService>,
  databaseUrl: string,
  name: string,
  roles: readonly RoleName[] = ["customer"],
): Promise<Account> {
  const email = `${name.replace(/\W+/g, "-")}-${randomBytes(4).toString("hex")}@example.test`;
  const registered = await identity.register({ email, password: accountPassword, displayName: name }, as(undefined));
  const userId = registered.user?.id ?? "";
  if (userId === "") throw new Error(`Register of ${email} answered without a user`);
  if (roles.some((role) => role !== "customer")) await grantRoles(databaseUrl, userId, roles);
  const { tokens } = await identity.login({ email, password: accountPassword }, as(undefined));
  if (tokens === undefined) throw new Error(`Login of ${email} answered without tokens`);
  return {
    userId,
    email,
    password: accountPassword,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    roles,
  };
}

/** Writes a user's roles straight into identity's `user` table (customer always kept, in contract order). */
async function grantRoles(databaseUrl: string, userId: string, roles: readonly RoleName[]): Promise<void> {
  const ordered = (["customer", "organizer", "admin"] as const).filter(
    (role) => role === "customer" || roles.includes(role),
  );
  const orm = await openDatabase({
    url: databaseUrl,
    schema: "identity",
    entities: [],
    migrations: [],
    logger: createLogger("e2e-authorization", "warn"),
    poolMax: 2,
  });
  try {
    await orm.em
      .fork()
      .execute(`update "user" set roles = string_to_array(?, ','), update_time = now() where id = ?`, [
        ordered.join(","),
        userId,
      ]);
  } finally {
    await orm.close();
  }
}

/** The stack's development signing key (`<dataDir>/keys/signing-key.json`), which every verifier trusts. */
export function devSigningKey(dataDir: string): JWK {
  return JSON.parse(readFileSync(join(dataDir, "keys", "signing-key.json"), "utf8")) as JWK;
}

/** A real partner client, from which the matrix's partner callers get their tokens. */
export interface Partner {
  readonly clientId: string;
  /** A client-credentials token carrying exactly `scopes` (each granted to the client). */
  token(scopes: readonly string[]): Promise<string>;
}

/**
 * A partner client an admin creates through the BFF (CreatePartnerClient), granted `scopes`, whose tokens
 * identity issues by the client-credentials grant (IssueClientToken, what the BFF's `/oauth2/token`
 * calls): `sub: client:<client_id>`, the scopes asked for in `scope`, no roles — as a partner gets them.
 */
export async function createPartner(
  identity: Client<typeof IdentityService>,
  adminToken: string,
  scopes: readonly string[],
): Promise<Partner> {
  const { client, clientSecret } = await identity.createPartnerClient(
    { client: { displayName: "Matrix partner", scopes: [...scopes] } },
    as(adminToken),
  );
  const clientId = client?.clientId ?? "";
  if (clientId === "") throw new Error("CreatePartnerClient answered without a client");
  return {
    clientId,
    async token(wanted) {
      const { tokens } = await identity.issueClientToken(
        { clientId, clientSecret, scopes: [...wanted] },
        as(undefined),
      );
      if (tokens === undefined) throw new Error("IssueClientToken answered without tokens");
      return tokens.accessToken;
    },
  };
}
