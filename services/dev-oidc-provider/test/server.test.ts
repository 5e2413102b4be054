import { createHash, randomBytes } from "node:crypto";
import { expect } from "chai";
import { type DevOidcProvider, startDevOidcProvider } from "../src/server.js";
import { devUsers } from "../src/users.js";
import { Browser, signInAtProvider } from "./support/browser.js";

/** A JWT's claims, unverified: the test reads what the provider put in. */
function decodeJwt(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

const client = { clientId: "test-client", clientSecret: "test-secret", redirectUris: ["http://app.test/callback"] };

/** An authorization request with PKCE, as a relying party builds it, and its verifier. */
function authorizationRequest(provider: DevOidcProvider, overrides: Record<string, string | undefined> = {}) {
  const verifier = randomBytes(32).toString("base64url");
  const params: Record<string, string | undefined> = {
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUris[0],
    scope: "openid email profile",
    state: randomBytes(16).toString("base64url"),
    nonce: randomBytes(16).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    ...overrides,
  };
  const url = new URL(`${provider.issuer}/auth`);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return { url: url.href, verifier, nonce: params.nonce };
}

/** The token endpoint, called as a confidential client does (client_secret_basic). */
async function exchange(provider: DevOidcProvider, code: string, verifier: string) {
  const response = await fetch(`${provider.issuer}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: client.redirectUris[0] as string,
      code_verifier: verifier,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("startDevOidcProvider", () => {
  let provider: DevOidcProvider;
  before(async () => {
    provider = await startDevOidcProvider({ clients: [client] });
  });
  after(async () => {
    await provider?.close();
  });

  it("publishes a discovery document for the code flow with S256 PKCE", async () => {
    const response = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
    expect(response.status).to.equal(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).to.equal(provider.issuer);
    expect(metadata.response_types_supported).to.include("code");
    expect(metadata.code_challenge_methods_supported).to.deep.equal(["S256"]);
    expect(metadata.claims_supported).to.include.members(["email", "email_verified", "name"]);
  });

  it("signs a picked user in and issues an ID token with their verified email", async () => {
    const user = devUsers[1] as (typeof devUsers)[number];
    const request = authorizationRequest(provider);
    const callback = new URL(await signInAtProvider(request.url, { sub: user.sub }));
    expect(callback.origin + callback.pathname).to.equal(client.redirectUris[0]);
    expect(callback.searchParams.get("iss")).to.equal(provider.issuer);
    const { status, body } = await exchange(provider, callback.searchParams.get("code") as string, request.verifier);
    expect(status, JSON.stringify(body)).to.equal(200);
    expect(decodeJwt(body.id_token as string)).to.include({
      iss: provider.issuer,
      aud: client.clientId,
      sub: user.sub,
      email: user.email,
      email_verified: true,
      name: user.name,
      nonce: request.nonce,
    });
  });

  it("says so when a user's email is not verified", async () => {
    const user = devUsers.find((candidate) => !candidate.emailVerified) as (typeof devUsers)[number];
    const request = authorizationRequest(provider);
    const callback = new URL(await signInAtProvider(request.url, { sub: user.sub }));
    const { body } = await exchange(provider, callback.searchParams.get("code") as string, request.verifier);
    expect(decodeJwt(body.id_token as string)).to.include({ email: user.email, email_verified: false });
  });

  it("gives out a code once, and only for the verifier of its challenge", async () => {
    const request = authorizationRequest(provider);
    const code = new URL(await signInAtProvider(request.url, { sub: "dev-kofi" })).searchParams.get("code") as string;
    const wrong = await exchange(provider, code, randomBytes(32).toString("base64url"));
    expect(wrong.status).to.equal(400);
    expect(wrong.body.error).to.equal("invalid_grant");
    const right = await exchange(provider, code, request.verifier);
    expect(right.status, JSON.stringify(right.body)).to.equal(200);
    const again = await exchange(provider, code, request.verifier);
    expect(again.body.error).to.equal("invalid_grant");
  });

  it("requires PKCE", async () => {
    const request = authorizationRequest(provider, { code_challenge: undefined, code_challenge_method: undefined });
    const callback = new URL(await signInAtProvider(request.url, { sub: "dev-ana" }));
    expect(callback.searchParams.get("error")).to.equal("invalid_request");
    expect(callback.searchParams.get("code")).to.equal(null);
  });

  it("asks who signs in every time, so a developer can switch users", async () => {
    const browser = new Browser();
    const first = authorizationRequest(provider);
    await signInAtProvider(first.url, { sub: "dev-ana", browser });
    const second = authorizationRequest(provider);
    const callback = new URL(await signInAtProvider(second.url, { sub: "dev-kofi", browser }));
    const { body } = await exchange(provider, callback.searchParams.get("code") as string, second.verifier);
    expect(decodeJwt(body.id_token as string).sub).to.equal("dev-kofi");
  });

  it("answers Cancel with access_denied", async () => {
    const request = authorizationRequest(provider);
    const callback = new URL(await signInAtProvider(request.url, { cancel: true }));
    expect(callback.searchParams.get("error")).to.equal("access_denied");
  });

  it("refuses a redirect URI the client did not register, without redirecting there", async () => {
    const request = authorizationRequest(provider, { redirect_uri: "http://evil.test/callback" });
    const error = await signInAtProvider(request.url, { sub: "dev-ana" }).then(
      () => undefined,
      (failure: Error) => failure,
    );
    expect(error?.message).to.match(/answered 400/);
  });

  it("lists every user on the login page, escaped", async () => {
    const page = await startDevOidcProvider({
      clients: [client],
      users: [{ sub: "x", email: "a@b.test", emailVerified: true, name: "<script>alert(1)</script>" }],
    });
    try {
      const request = authorizationRequest(page);
      const browser = new Browser();
      const redirect = await browser.request(request.url);
      const login = await browser.request(new URL(redirect.headers.get("location") as string, request.url).href);
      const html = await login.text();
      expect(html).to.include("&lt;script&gt;alert(1)&lt;/script&gt;").and.not.include("<script>");
      expect(html).to.include('name="sub" value="x"');
    } finally {
      await page.close();
    }
  });
});
