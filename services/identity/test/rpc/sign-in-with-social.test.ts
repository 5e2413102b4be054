import { createHash } from "node:crypto";
import { signInAtProvider } from "@marquee/dev-oidc-provider/testing";
import { Code } from "@marquee/mesh";
import { badFields, failureOf } from "@marquee/mesh/testing";
import { SocialProvider } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { expect } from "chai";
import { decodeJwt } from "jose";
import * as oidc from "openid-client";
import { SocialFlowEntity } from "../../src/entities/social-flow.js";
import { SocialLinkEntity } from "../../src/entities/social-link.js";
import { UserEntity } from "../../src/entities/user.js";
import { hashOfSecret } from "../../src/store/secrets.js";
import { callbackFor, client, devUser, redirectUri, signInAs, useSocialIdentity } from "../social/dev-provider.js";
import {
  as,
  goodPassword,
  register,
  type TestIdentity,
  tokenOfLink,
  totpCode,
  turnOnTotp,
  wrongCodeFor,
} from "../support/testing.js";

const newcomer = devUser("newcomer");
const returning = devUser("returning");
const verifiedOwner = devUser("owner");
const unverifiedOwner = devUser("unverifiedowner");
/** Claims the address of a verified Marquee account, without the provider vouching for it. */
const unverifiedClaim = devUser("pretender", { emailVerified: false, email: devUser("target").email });
const unverifiedNewcomer = devUser("unverifiednew", { emailVerified: false });
const replayer = devUser("replayer");
const nonceUser = devUser("nonce");
const appUser = devUser("app");
const disabled = devUser("disabled");
const guarded = devUser("guarded");
const guardedOwner = devUser("guardedowner");

/** A registered account whose address is verified through the mailed link. */
async function verifiedAccount(env: TestIdentity, email: string) {
  const account = await register(env, { email });
  const mail = await env.mail.nextMailTo(email, /confirm your email/i);
  const link = mail.links.find((candidate) => candidate.includes("/verify-email")) as string;
  await env.client.verifyEmail({ token: tokenOfLink(link) });
  return account;
}

async function usersWithEmail(env: TestIdentity, email: string): Promise<number> {
  return await env.db().count(UserEntity, { emailKey: email.toLowerCase() });
}

describe("IdentityService.StartSocialSignIn and SignInWithSocial (against a real OpenID provider)", () => {
  const { provider, env } = useSocialIdentity([
    newcomer,
    returning,
    verifiedOwner,
    unverifiedOwner,
    unverifiedClaim,
    unverifiedNewcomer,
    replayer,
    nonceUser,
    appUser,
    disabled,
    guarded,
    guardedOwner,
  ]);

  it("starts a code flow with PKCE at the provider, keeping nonce and verifier server-side", async () => {
    const started = await env.client.startSocialSignIn({ provider: SocialProvider.GOOGLE }, as({}));
    const url = new URL(started.authorizationUrl);
    expect(url.origin).to.equal(new URL(provider.issuer).origin);
    expect(Object.fromEntries(url.searchParams)).to.include({
      response_type: "code",
      client_id: client.clientId,
      redirect_uri: redirectUri,
      scope: "openid email profile",
      state: started.state,
      code_challenge_method: "S256",
    });
    const flow = await env.db().findOneOrFail(SocialFlowEntity, { stateHash: hashOfSecret(started.state) });
    // The challenge is the stored verifier's S256, the nonce the stored one; neither the state nor the
    // flow key is stored in clear.
    expect(url.searchParams.get("code_challenge")).to.equal(await oidc.calculatePKCECodeChallenge(flow.codeVerifier));
    expect(url.searchParams.get("nonce")).to.equal(flow.nonce);
    expect(flow.flowKeyHash).to.equal(hashOfSecret(started.flowKey));
    expect(JSON.stringify(flow)).to.not.include(started.state).and.not.include(started.flowKey);
    expect(started.flowKey).to.match(/^[\w-]{43}$/);
    const ttlMs = Number(started.expireTime?.seconds) * 1000 - Date.now();
    expect(ttlMs).to.be.within(590_000, 601_000);
  });

  it("refuses a provider that is not configured, or none", async () => {
    const microsoft = await failureOf(env.client.startSocialSignIn({ provider: SocialProvider.MICROSOFT }));
    expect(microsoft.code).to.equal(Code.InvalidArgument);
    expect(badFields(microsoft)).to.deep.equal(["provider"]);
    const none = await failureOf(env.client.startSocialSignIn({ provider: SocialProvider.UNSPECIFIED }));
    expect(badFields(none)).to.deep.equal(["provider"]);
  });

  it("creates a verified customer without a password for a new provider account, and signs it in", async () => {
    const response = await signInAs(env, newcomer);
    expect(response.userCreated).to.equal(true);
    const { user, tokens } = response;
    expect(user?.email).to.equal(newcomer.email);
    expect(user?.displayName).to.equal(newcomer.name);
    expect(user?.emailVerified).to.equal(true);
    expect(user?.passwordSet).to.equal(false);
    expect(user?.socialLinks.map((link) => [link.provider, link.subject, link.email])).to.deep.equal([
      [SocialProvider.GOOGLE, newcomer.sub, newcomer.email],
    ]);
    // The tokens are the new account's: GetMe answers with it, links included; Refresh rotates them.
    const { user: me } = await env.client.getMe({}, as({ token: tokens?.accessToken as string }));
    expect(me?.id).to.equal(user?.id);
    expect(me?.socialLinks).to.have.length(1);
    const refreshed = await env.client.refresh({ refreshToken: tokens?.refreshToken as string });
    expect(refreshed.tokens?.accessToken).to.be.a("string").and.not.equal(tokens?.accessToken);
    const mail = await env.mail.nextMailTo(newcomer.email, /welcome/i);
    expect(mail.text).to.include("signed in with Google");
  });

  it("signs a linked provider account into the same user the next time, creating nothing", async () => {
    const first = await signInAs(env, returning);
    const second = await signInAs(env, returning);
    expect(second.userCreated).to.equal(false);
    expect(second.user?.id).to.equal(first.user?.id);
    expect(second.tokens?.refreshToken).to.not.equal(first.tokens?.refreshToken);
    expect(await usersWithEmail(env, returning.email)).to.equal(1);
  });

  it("links a provider account to the existing account when both sides verified the address", async () => {
    const owner = await verifiedAccount(env, verifiedOwner.email);
    const response = await signInAs(env, verifiedOwner);
    expect(response.userCreated).to.equal(false);
    expect(response.user?.id).to.equal(owner.user.id);
    expect(response.user?.passwordSet).to.equal(true);
    expect(response.user?.socialLinks.map((link) => link.subject)).to.deep.equal([verifiedOwner.sub]);
    expect(await usersWithEmail(env, verifiedOwner.email)).to.equal(1);
    // The password still signs in too, to the same account.
    const { user } = await env.client.login({ email: verifiedOwner.email, password: goodPassword });
    expect(user?.id).to.equal(owner.user.id);
  });

  it("never links an address the provider has not verified, even to a verified account", async () => {
    await verifiedAccount(env, unverifiedClaim.email);
    const error = await failureOf(signInAs(env, unverifiedClaim));
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["callback_url"]);
    expect(error.rawMessage).to.include("no verified email address");
    expect(await env.db().count(SocialLinkEntity, { subject: unverifiedClaim.sub })).to.equal(0);
  });

  it("creates no account for an address the provider has not verified", async () => {
    const error = await failureOf(signInAs(env, unverifiedNewcomer));
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(await usersWithEmail(env, unverifiedNewcomer.email)).to.equal(0);
  });

  it("does not link to an account whose address Marquee has not verified", async () => {
    const squatter = await register(env, { email: unverifiedOwner.email });
    const error = await failureOf(signInAs(env, unverifiedOwner));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(error.rawMessage).to.include("LinkSocialAccount");
    expect(await env.db().count(SocialLinkEntity, { userId: squatter.user.id })).to.equal(0);
  });

  it("refuses a replayed callback: its state is spent", async () => {
    const { callbackUrl, flowKey } = await callbackFor(env, replayer);
    await env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey });
    const replay = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey }),
    );
    expect(replay.code).to.equal(Code.InvalidArgument);
    expect(badFields(replay)).to.deep.equal(["callback_url"]);
    expect(replay.rawMessage).to.include("already used");
  });

  it("refuses a code under another flow's state: the provider checks it against that flow's PKCE verifier", async () => {
    const stolen = await callbackFor(env, replayer);
    const mine = await env.client.startSocialSignIn({ provider: SocialProvider.GOOGLE });
    const forged = new URL(stolen.callbackUrl);
    forged.searchParams.set("state", mine.state);
    const error = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl: forged.href, flowKey: mine.flowKey }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["callback_url"]);
    expect(error.rawMessage).to.include("invalid_grant");
  });

  it("refuses a callback without its flow's key, and leaves the flow to its own app", async () => {
    const { callbackUrl, flowKey } = await callbackFor(env, replayer);
    const other = await env.client.startSocialSignIn({ provider: SocialProvider.GOOGLE });
    const error = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey: other.flowKey }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["flow_key"]);
    const { user } = await env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey });
    expect(user?.email).to.equal(replayer.email);
  });

  it("refuses an ID token whose nonce is not the flow's", async () => {
    const { callbackUrl, flowKey, state } = await callbackFor(env, nonceUser);
    await env.db().nativeUpdate(SocialFlowEntity, { stateHash: hashOfSecret(state) }, { nonce: oidc.randomNonce() });
    const error = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["callback_url"]);
    expect(error.rawMessage).to.include("nonce");
    expect(await usersWithEmail(env, nonceUser.email)).to.equal(0);
  });

  it("refuses an expired flow", async () => {
    const { callbackUrl, flowKey, state } = await callbackFor(env, nonceUser);
    await env
      .db()
      .nativeUpdate(SocialFlowEntity, { stateHash: hashOfSecret(state) }, { expireTime: new Date(Date.now() - 1000) });
    const error = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey }),
    );
    expect(badFields(error)).to.deep.equal(["callback_url"]);
  });

  it("passes the provider's refusal on when the user cancels there", async () => {
    const { callbackUrl, flowKey } = await callbackFor(env, "cancel");
    expect(new URL(callbackUrl).searchParams.get("error")).to.equal("access_denied");
    const error = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(error.rawMessage).to.include("access_denied");
  });

  it("refuses a callback that is not the configured redirect URI", async () => {
    const { callbackUrl, flowKey } = await callbackFor(env, nonceUser);
    const elsewhere = new URL(callbackUrl);
    elsewhere.host = "evil.test";
    const error = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl: elsewhere.href, flowKey }),
    );
    expect(badFields(error)).to.deep.equal(["callback_url"]);
  });

  it("asks an account with two-factor sign-in on for a code: a challenge and no tokens, which CompleteLogin redeems for a session saying fed and otp", async () => {
    const first = await signInAs(env, guarded);
    expect(decodeJwt(first.tokens?.accessToken ?? "").amr).to.deep.equal(["fed"]);
    const { secret, recoveryCodes } = await turnOnTotp(env, { token: first.tokens?.accessToken ?? "" });

    const challenged = await signInAs(env, guarded);
    expect(challenged.user).to.equal(undefined);
    expect(challenged.tokens).to.equal(undefined);
    expect(challenged.userCreated).to.equal(false);
    expect(challenged.mfaChallenge).to.match(/^[\w-]{43}$/);
    expect(challenged.mfaChallengeExpireTime).to.not.equal(undefined);

    const challenge = challenged.mfaChallenge;
    const wrong = await failureOf(env.client.completeLogin({ challenge, code: await wrongCodeFor(secret) }));
    expect(wrong.code).to.equal(Code.Unauthenticated);
    const done = await env.client.completeLogin({ challenge, code: await totpCode(secret, 1) });
    expect(done.user?.id).to.equal(first.user?.id);
    expect(decodeJwt(done.tokens?.accessToken ?? "").amr).to.deep.equal(["fed", "otp"]);
    const refreshed = await env.client.refresh({ refreshToken: done.tokens?.refreshToken ?? "" });
    expect(decodeJwt(refreshed.tokens?.accessToken ?? "").amr).to.deep.equal(["fed", "otp"]);

    // Turning the factor off takes "otp" off the session and leaves it a provider's, not a password's.
    await env.client.disableTotp({ code: recoveryCodes[0] as string }, as({ token: done.tokens?.accessToken ?? "" }));
    const after = await env.client.refresh({ refreshToken: refreshed.tokens?.refreshToken ?? "" });
    expect(decodeJwt(after.tokens?.accessToken ?? "").amr).to.deep.equal(["fed"]);
    expect((await signInAs(env, guarded)).tokens).to.not.equal(undefined);
  });

  it("asks for the code after linking a provider account to a password account with two-factor sign-in on", async () => {
    const owner = await verifiedAccount(env, guardedOwner.email);
    const { secret } = await turnOnTotp(env, owner);
    const challenged = await signInAs(env, guardedOwner);
    expect(challenged.tokens).to.equal(undefined);
    expect(challenged.mfaChallenge).to.not.equal("");
    const done = await env.client.completeLogin({
      challenge: challenged.mfaChallenge,
      code: await totpCode(secret, 1),
    });
    expect(done.user?.id).to.equal(owner.user.id);
    expect(decodeJwt(done.tokens?.accessToken ?? "").amr).to.deep.equal(["fed", "otp"]);
  });

  it("refuses a disabled account's provider sign-in", async () => {
    const { user } = await signInAs(env, disabled);
    await env.db().nativeUpdate(UserEntity, { id: user?.id as string }, { disableTime: new Date() });
    const error = await failureOf(signInAs(env, disabled));
    expect(error.code).to.equal(Code.PermissionDenied);
  });

  it("names the fields of a request that mixes the two proofs or gives neither", async () => {
    const mixed = await failureOf(
      env.client.signInWithSocial({
        provider: SocialProvider.GOOGLE,
        callbackUrl: `${redirectUri}?code=x&state=y`,
        flowKey: "k".repeat(43),
        idToken: "x.y.z",
        nonce: "n",
      }),
    );
    expect(badFields(mixed)).to.deep.equal(["id_token", "nonce"]);
    const neither = await failureOf(env.client.signInWithSocial({ provider: SocialProvider.GOOGLE }));
    expect(badFields(neither)).to.deep.equal(["id_token", "nonce"]);
    const keyless = await failureOf(
      env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl: `${redirectUri}?code=x&state=y` }),
    );
    expect(badFields(keyless)).to.deep.equal(["flow_key"]);
  });

  describe("with an ID token the app obtained itself", () => {
    /** The app's own code flow at the provider, with its own nonce: the ID token it would send. */
    async function appIdToken(nonce: string): Promise<string> {
      const config = await oidc.discovery(
        new URL(provider.issuer),
        client.clientId,
        client.clientSecret,
        oidc.ClientSecretBasic(client.clientSecret),
        { execute: [oidc.allowInsecureRequests] },
      );
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: "openid email profile",
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      });
      const callback = await signInAtProvider(url.href, { sub: appUser.sub });
      const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      return tokens.id_token as string;
    }

    it("signs in with the token and the nonce the app chose, or its SHA-256", async () => {
      const nonce = oidc.randomNonce();
      const { user, userCreated } = await env.client.signInWithSocial({
        provider: SocialProvider.GOOGLE,
        idToken: await appIdToken(nonce),
        nonce,
      });
      expect(userCreated).to.equal(true);
      expect(user?.email).to.equal(appUser.email);
      const hashedNonce = createHash("sha256").update(nonce).digest("hex");
      const again = await env.client.signInWithSocial({
        provider: SocialProvider.GOOGLE,
        idToken: await appIdToken(hashedNonce),
        nonce,
      });
      expect(again.user?.id).to.equal(user?.id);
    });

    it("refuses the token with another nonce", async () => {
      const idToken = await appIdToken(oidc.randomNonce());
      const error = await failureOf(
        env.client.signInWithSocial({ provider: SocialProvider.GOOGLE, idToken, nonce: oidc.randomNonce() }),
      );
      expect(error.code).to.equal(Code.InvalidArgument);
      expect(badFields(error)).to.deep.equal(["id_token"]);
      expect(error.rawMessage).to.include("nonce");
    });

    it("refuses a tampered token", async () => {
      const nonce = oidc.randomNonce();
      const [header, payload, signature] = (await appIdToken(nonce)).split(".") as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url");
      const error = await failureOf(
        env.client.signInWithSocial({
          provider: SocialProvider.GOOGLE,
          idToken: `${header}.${forged}.${signature}`,
          nonce,
        }),
      );
      expect(badFields(error)).to.deep.equal(["id_token"]);
      expect(error.rawMessage).to.include("signature");
    });
  });
});
