import { randomBytes } from "node:crypto";
import { type CallOptions, type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { clientIpHeader, type MeshClient } from "@marquee/mesh";
import { serviceToken, startService, type TestService, testKeys, useStarted } from "@marquee/mesh/testing";
import { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { TokenSet, User } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { generate } from "otplib";
import { UserEntity } from "../../src/entities/user.js";
import type { Identity } from "../../src/identity.js";
import { identity } from "../../src/manifest.js";
import { type MailSink, startMailSink } from "./mail-sink.js";

export { type MailSink, type ReceivedMail, startMailSink, tokenOfLink } from "./mail-sink.js";

/** How a test's identity differs from the defaults: its variables (`LOGIN_FAILURES_PER_ACCOUNT: "3"`). */
export interface IdentityTestOptions {
  readonly settings?: Readonly<Record<string, string>>;
}

/** A real identity service over gRPC and PostgreSQL, mailing to a real SMTP sink. */
export interface TestIdentity {
  readonly service: TestService<typeof identity.settings, typeof identity.upstreams, Identity>;
  /**
   * IdentityService over plain gRPC (connect-node), so a call can carry the headers the BFF would set
   * (`clientIpHeader`) beside its token: see {@link as} and {@link viaBff}.
   */
  readonly client: Client<typeof IdentityService>;
  /** IdentityInternalService as another Marquee service calls it (its service token). */
  readonly internal: MeshClient<typeof IdentityInternalService>;
  readonly mail: MailSink;
  /** The JWKS file test servers verify with, where identity publishes its keys (`JWKS_FILE`). */
  readonly jwksPath: string;
  readonly deps: Identity;
  /** An entity manager of the service's schema, for reading rows as stored. */
  db(): EntityManager;
  close(): Promise<void>;
}

/**
 * Starts a mail sink and identity sending to it. Identity publishes its keys into the test keys' JWKS
 * file (its `JWKS_FILE`), which every server a test starts verifies with, beside the test key: so its
 * servers — identity's own included — accept identity's tokens and `@marquee/mesh/testing`'s alike.
 */
export async function startIdentity(options: IdentityTestOptions = {}): Promise<TestIdentity> {
  const mail = await startMailSink();
  const { jwksPath } = await testKeys();
  let service: TestIdentity["service"];
  try {
    service = await startService(identity, {
      settings: { JWKS_FILE: jwksPath, SMTP_URL: mail.url, APP_URL: "http://marquee.test/app", ...options.settings },
    });
  } catch (error) {
    await mail.close();
    throw error;
  }
  const baseUrl = `http://${service.address}`;
  const sessions = new Http2SessionManager(baseUrl);
  const client = createClient(IdentityService, createGrpcTransport({ baseUrl, sessionManager: sessions }));
  const internal = await service.client(IdentityInternalService, { serviceName: "bff" });
  return {
    service,
    client,
    internal,
    mail,
    jwksPath,
    deps: service.deps,
    db: () => service.deps.orm.em.fork(),
    async close() {
      sessions.abort();
      await service.close();
      await mail.close();
    },
  };
}

/** `startIdentity` around the tests of the calling `describe`. */
export function useIdentity(options: IdentityTestOptions = {}): TestIdentity {
  return useStarted("identity", () => startIdentity(options));
}

/**
 * Call options of a caller: its bearer token and, when given, a client IP in `clientIpHeader`, which
 * identity believes only beside the BFF's token ({@link viaBff}). `as({})` is an anonymous caller
 * without an IP.
 */
export function as(caller: { readonly token?: string; readonly ip?: string }): CallOptions {
  const headers: Record<string, string> = {};
  if (caller.token !== undefined) headers.authorization = `Bearer ${caller.token}`;
  if (caller.ip !== undefined) headers[clientIpHeader] = caller.ip;
  return { headers, timeoutMs: 20_000 };
}

/** Call options of an anonymous client's call as the BFF forwards it: the BFF's service token and the client's IP. */
export async function viaBff(ip: string): Promise<CallOptions> {
  return as({ token: await serviceToken("bff"), ip });
}

/** An anonymous client's call options: through the BFF from `ip` when given ({@link viaBff}), else straight. */
export async function anonymous(ip?: string): Promise<CallOptions> {
  return ip === undefined ? as({}) : await viaBff(ip);
}

/** A random address no other test uses. */
export function newEmail(name = "user"): string {
  return `${name}-${randomBytes(4).toString("hex")}@example.com`;
}

/** A password the policy accepts. */
export const goodPassword = "correct horse battery";

/** A registered account: its address, password, account and tokens. */
export interface Account {
  readonly email: string;
  readonly password: string;
  readonly user: User;
  readonly tokens: TokenSet;
  /** The account's access token. */
  readonly token: string;
}

/** Registers a new account (a random address unless given), through the BFF from `ip` when given. */
export async function register(
  env: TestIdentity,
  fields: { email?: string; password?: string; displayName?: string; ip?: string } = {},
): Promise<Account> {
  const email = fields.email ?? newEmail();
  const password = fields.password ?? goodPassword;
  const { user, tokens } = await env.client.register(
    { email, password, displayName: fields.displayName ?? "Test User" },
    await anonymous(fields.ip),
  );
  if (user === undefined || tokens === undefined) throw new Error("Register answered without user or tokens");
  return { email, password, user, tokens, token: tokens.accessToken };
}

/**
 * Gives a user roles straight in the database, as seeding does: the first admin cannot be made through
 * an RPC. Tokens issued before keep the old roles; sign in again for new ones.
 */
export async function grantRoles(env: TestIdentity, userId: string, roles: readonly string[]): Promise<void> {
  await env.db().nativeUpdate(UserEntity, { id: userId }, { roles: ["customer", ...roles] });
}

/**
 * The TOTP code of `secret` for the time step `stepsAhead` steps from now, computed with otplib as an
 * authenticator app computes it from the secret EnrollTotp showed. Identity accepts the steps -1, 0 and +1,
 * each once, so a test that needs two codes in one step window takes 0 and then +1.
 */
export async function totpCode(secret: string, stepsAhead = 0): Promise<string> {
  return await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });
}

/** A 6-digit code that is none of the secret's codes of the steps identity looks at (or the next). */
export async function wrongCodeFor(secret: string): Promise<string> {
  const near = new Set(await Promise.all([-2, -1, 0, 1, 2].map((steps) => totpCode(secret, steps))));
  for (const candidate of ["000000", "111111", "222222", "333333", "444444", "555555", "666666"]) {
    if (!near.has(candidate)) return candidate;
  }
  throw new Error("unreachable: seven candidates cannot all be among five codes");
}

/** What turning two-factor sign-in on left the test with: the secret and the recovery codes. */
export interface SecondFactor {
  readonly secret: string;
  readonly recoveryCodes: readonly string[];
}

/** Turns two-factor sign-in on for an account: EnrollTotp, then ConfirmTotp with the current step's code. */
export async function turnOnTotp(env: TestIdentity, account: { readonly token: string }): Promise<SecondFactor> {
  const { secret } = await env.client.enrollTotp({}, as(account));
  const { recoveryCodes } = await env.client.confirmTotp({ code: await totpCode(secret) }, as(account));
  return { secret, recoveryCodes };
}

/** Login with the password, then CompleteLogin with `code`: the signed-in answer. */
export async function signInWithCode(
  env: TestIdentity,
  account: { readonly email: string; readonly password: string },
  code: string,
  ip?: string,
) {
  const caller = await anonymous(ip);
  const { mfaChallenge } = await env.client.login({ email: account.email, password: account.password }, caller);
  if (mfaChallenge === "") throw new Error("Login answered no second-factor challenge");
  return await env.client.completeLogin({ challenge: mfaChallenge, code }, caller);
}

/** An admin signed in as SetUserRoles needs: with two-factor sign-in on, and a token whose `amr` holds otp. */
export interface AdminAccount extends Account {
  readonly secondFactor: SecondFactor;
}

/**
 * A new account with the admin role, two-factor sign-in on, signed in after the grant with a code (of the
 * next step: the current one went to ConfirmTotp) so its token carries the role and "otp".
 */
export async function registerAdmin(env: TestIdentity): Promise<AdminAccount> {
  const account = await register(env, { email: newEmail("admin") });
  await grantRoles(env, account.user.id, ["organizer", "admin"]);
  const secondFactor = await turnOnTotp(env, account);
  const { user, tokens } = await signInWithCode(env, account, await totpCode(secondFactor.secret, 1));
  if (user === undefined || tokens === undefined) throw new Error("CompleteLogin answered without user or tokens");
  return { ...account, user, tokens, token: tokens.accessToken, secondFactor };
}
