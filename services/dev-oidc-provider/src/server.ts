/**
 * A real OpenID Connect provider (`oidc-provider`) for development and tests: it plays "Google" for
 * Marquee's social sign-in. Discovery, authorization (code flow, PKCE required), token, JWKS and userinfo
 * endpoints are oidc-provider's own; what is ours is the account model (the fixed dev users), the login
 * page (pick a user, no password) and the registered clients. State is in memory: a restart forgets
 * sessions and codes, and makes a new signing key.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@marquee/mesh";
import Provider, { type Configuration, interactionPolicy, type JWK, type KoaContextWithOIDC } from "oidc-provider";
import { type DevClient, defaultClient } from "./clients.js";
import { memoryAdapter } from "./memory-adapter.js";
import { loginPage, messagePage } from "./pages.js";
import { type DevUser, devUsers } from "./users.js";

export { type DevClient, defaultClient } from "./clients.js";

export interface DevOidcProviderOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /**
   * The issuer identifier, the base of every endpoint, as a browser and identity reach it: it must equal
   * identity's configured issuer exactly. @default `http://127.0.0.1:<port>`
   */
  readonly issuer?: string;
  /** @default [defaultClient] */
  readonly clients?: readonly DevClient[];
  /** @default devUsers */
  readonly users?: readonly DevUser[];
  /** Where provider errors are logged. @default nowhere */
  readonly log?: Logger;
}

export interface DevOidcProvider {
  /** The issuer; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly port: number;
  readonly users: readonly DevUser[];
  readonly clients: readonly DevClient[];
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** The scopes and the claims each releases, as Google's: email with `email_verified`, profile with `name`. */
const claims = { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] };

/** Starts the provider; resolves once it listens. */
export async function startDevOidcProvider(options: DevOidcProviderOptions = {}): Promise<DevOidcProvider> {
  const users = options.users ?? devUsers;
  const clients = options.clients ?? [defaultClient];
  const bySub = new Map(users.map((user) => [user.sub, user]));
  const server = createServer();
  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const issuer = options.issuer ?? `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, configurationFor(clients, bySub));
  provider.on("server_error", (_ctx: unknown, error: unknown) => options.log?.error({ err: error }, "server error"));
  const callback = provider.callback();

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    route(provider, users, req, res, callback).catch((error: unknown) => {
      options.log?.error({ err: error }, "request failed");
      if (!res.headersSent) send(res, 500, messagePage("Something went wrong", String(error)));
      else res.end();
    });
  });

  return {
    issuer,
    port,
    users,
    clients,
    async close() {
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

function configurationFor(clients: readonly DevClient[], bySub: ReadonlyMap<string, DevUser>): Configuration {
  const policy = interactionPolicy.base();
  // Show the user picker on every authorization request, even with a session from an earlier pick, so
  // a developer can sign in as someone else; the login the picker just made satisfies it.
  policy
    .get("login")
    ?.checks.add(
      new interactionPolicy.Check("pick_user", "pick a development user", (ctx) =>
        ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );
  return {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [...client.redirectUris],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    async findAccount(_ctx, sub) {
      const user = bySub.get(sub);
      if (user === undefined) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({ sub: user.sub, email: user.email, email_verified: user.emailVerified, name: user.name }),
      };
    },
    claims,
    // Scope claims go into the ID token too, as Google puts email and name there: the relying party
    // then needs no userinfo call.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy },
    // Marquee is a first-party client here: every scope it asks for is granted without a consent page.
    loadExistingGrant: grantEverything,
    adapter: memoryAdapter(),
    // Short, as a development provider's should be; Google's codes also last minutes, its tokens an hour.
    ttl: {
      AuthorizationCode: 120,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 3600,
      IdToken: 3600,
    },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = messagePage(`Sign-in error: ${out.error}`, String(out.error_description ?? ""));
    },
    jwks: { keys: [signingKey()] },
  };
}

async function grantEverything(ctx: KoaContextWithOIDC) {
  const { client, session, provider } = ctx.oidc;
  const accountId = session?.accountId;
  if (client === undefined || accountId === undefined) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
  const existing = grantId === undefined ? undefined : await provider.Grant.find(grantId);
  if (existing !== undefined && existing.accountId === accountId) return existing;
  const grant = new provider.Grant({ clientId: client.clientId, accountId });
  grant.addOIDCScope(Object.keys(claims).join(" "));
  await grant.save();
  return grant;
}

/** A fresh RS256 key for ID tokens (Google signs with RS256). */
function signingKey(): JWK {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    ...(privateKey.export({ format: "jwk" }) as JWK),
    alg: "RS256",
    use: "sig",
    kid: randomBytes(8).toString("hex"),
  };
}

const interactionPath = /^\/interaction\/([\w-]+)(?:\/(login|cancel))?$/;

async function route(
  provider: Provider,
  users: readonly DevUser[],
  req: IncomingMessage,
  res: ServerResponse,
  callback: (req: IncomingMessage, res: ServerResponse) => unknown,
): Promise<void> {
  const path = new URL(req.url ?? "/", "http://provider").pathname;
  if (path === "/healthz") return send(res, 200, "ok", "text/plain");
  const interaction = interactionPath.exec(path);
  if (interaction === null) {
    await callback(req, res);
    return;
  }
  const [, uid, action] = interaction;
  let details: Awaited<ReturnType<Provider["interactionDetails"]>>;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return send(res, 400, messagePage("This sign-in has expired", "Go back to Marquee and start again."));
  }
  if (details.uid !== uid) return send(res, 400, messagePage("Wrong sign-in", "This page is not the current sign-in."));

  if (action === undefined && req.method === "GET") {
    if (details.prompt.name === "login") {
      const clientId = String(details.params.client_id ?? "");
      return send(res, 200, loginPage(uid, clientId, users));
    }
    // Any other prompt (consent) is answered at once: Marquee is first party here.
    const grant = new provider.Grant({
      clientId: String(details.params.client_id),
      accountId: details.session?.accountId ?? "",
    });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (req.method !== "POST") return send(res, 405, messagePage("Method not allowed", `${req.method} ${path}`));
  const form = new URLSearchParams(await bodyOf(req));
  if (action === "cancel") {
    return await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "the user cancelled the sign-in" },
      { mergeWithLastSubmission: false },
    );
  }
  const sub = form.get("sub") ?? "";
  if (!users.some((user) => user.sub === sub)) {
    return send(res, 400, messagePage("Unknown user", "Pick one of the listed users."));
  }
  await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
}

/** A form body, at most 16 kB. */
async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 16_384) throw new Error("request body too large");
  }
  return body;
}

function send(res: ServerResponse, status: number, body: string, type = "text/html; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}
