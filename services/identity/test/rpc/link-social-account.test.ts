import { Code } from "@marquee/mesh";
import { badFields, failureOf } from "@marquee/mesh/testing";
import { SocialProvider } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { expect } from "chai";
import { UserEntity } from "../../src/entities/user.js";
import { callbackFor, devUser, signInAs, useSocialIdentity } from "../social/dev-provider.js";
import { as, register, type TestIdentity } from "../support/testing.js";

const linked = devUser("linked");
const contested = devUser("contested");
const sole = devUser("sole");
const relinked = devUser("relinked");
const replacement = devUser("replacement");
const unlinked = devUser("unlinked");

/** LinkSocialAccount through the whole flow, for the caller with `token`. */
async function linkAs(env: TestIdentity, token: string, user: typeof linked) {
  const { callbackUrl, flowKey } = await callbackFor(env, user);
  return await env.client.linkSocialAccount({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey }, as({ token }));
}

describe("IdentityService.LinkSocialAccount and UnlinkSocialAccount", () => {
  const { env } = useSocialIdentity([linked, contested, sole, relinked, replacement, unlinked]);

  it("links a provider account to the signed-in caller, which then signs the caller in", async () => {
    // The provider's address is not the account's: linking needs no match, the caller is signed in.
    const account = await register(env);
    const { user } = await linkAs(env, account.token, linked);
    expect(user?.id).to.equal(account.user.id);
    expect(user?.socialLinks.map((link) => [link.provider, link.subject, link.email])).to.deep.equal([
      [SocialProvider.GOOGLE, linked.sub, linked.email],
    ]);
    const signedIn = await signInAs(env, linked);
    expect(signedIn.userCreated).to.equal(false);
    expect(signedIn.user?.id).to.equal(account.user.id);
    expect(await env.db().count(UserEntity, { emailKey: linked.email.toLowerCase() })).to.equal(0);
    // Linking the same provider account again changes nothing.
    const again = await linkAs(env, account.token, linked);
    expect(again.user?.socialLinks.map((link) => link.subject)).to.deep.equal([linked.sub]);
  });

  it("refuses a provider account linked to someone else", async () => {
    const first = await register(env);
    await linkAs(env, first.token, contested);
    const second = await register(env);
    const error = await failureOf(linkAs(env, second.token, contested));
    expect(error.code).to.equal(Code.AlreadyExists);
    const { user } = await env.client.getMe({}, as({ token: second.token }));
    expect(user?.socialLinks).to.deep.equal([]);
  });

  it("replaces the caller's earlier account of the provider", async () => {
    const account = await register(env);
    await linkAs(env, account.token, relinked);
    const { user } = await linkAs(env, account.token, replacement);
    expect(user?.socialLinks.map((link) => link.subject)).to.deep.equal([replacement.sub]);
    // The replaced provider account no longer signs in to this user: it is a stranger now.
    const stranger = await signInAs(env, relinked);
    expect(stranger.user?.id).to.not.equal(account.user.id);
  });

  it("needs a signed-in caller", async () => {
    const { callbackUrl, flowKey } = await callbackFor(env, linked);
    const error = await failureOf(
      env.client.linkSocialAccount({ provider: SocialProvider.GOOGLE, callbackUrl, flowKey }, as({})),
    );
    expect(error.code).to.equal(Code.Unauthenticated);
  });

  it("unlinks a provider from an account with a password; the provider then signs in to it no more", async () => {
    const account = await register(env);
    await linkAs(env, account.token, unlinked);
    const { user } = await env.client.unlinkSocialAccount(
      { provider: SocialProvider.GOOGLE },
      as({ token: account.token }),
    );
    expect(user?.id).to.equal(account.user.id);
    expect(user?.socialLinks).to.deep.equal([]);
    const { user: me } = await env.client.getMe({}, as({ token: account.token }));
    expect(me?.socialLinks).to.deep.equal([]);
    // Unlinking what is not linked succeeds and changes nothing.
    const again = await env.client.unlinkSocialAccount(
      { provider: SocialProvider.GOOGLE },
      as({ token: account.token }),
    );
    expect(again.user?.socialLinks).to.deep.equal([]);
    // The provider account is a stranger now: signing in with it makes an account of its own address.
    const stranger = await signInAs(env, unlinked);
    expect(stranger.userCreated).to.equal(true);
    expect(stranger.user?.id).to.not.equal(account.user.id);
  });

  it("keeps the only way into an account made by social sign-in", async () => {
    const { tokens, user } = await signInAs(env, sole);
    expect(user?.passwordSet).to.equal(false);
    const error = await failureOf(
      env.client.unlinkSocialAccount({ provider: SocialProvider.GOOGLE }, as({ token: tokens?.accessToken as string })),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
    const { user: me } = await env.client.getMe({}, as({ token: tokens?.accessToken as string }));
    expect(me?.socialLinks.map((link) => link.subject)).to.deep.equal([sole.sub]);
  });

  it("names an unspecified provider", async () => {
    const account = await register(env);
    const error = await failureOf(
      env.client.unlinkSocialAccount({ provider: SocialProvider.UNSPECIFIED }, as({ token: account.token })),
    );
    expect(badFields(error)).to.deep.equal(["provider"]);
  });
});
