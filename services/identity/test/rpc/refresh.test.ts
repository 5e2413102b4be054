import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf } from "@marquee/mesh/testing";
import { expect } from "chai";
import { SessionEntity } from "../../src/entities/session.js";
import { as, goodPassword, register, useIdentity } from "../support/testing.js";

describe("IdentityService.Refresh and Logout", () => {
  const env = useIdentity();

  it("rotates: each refresh gives a new pair and ends the token it was given, within one session end", async () => {
    const account = await register(env);
    const first = await env.client.refresh({ refreshToken: account.tokens.refreshToken });
    const second = await env.client.refresh({ refreshToken: first.tokens?.refreshToken as string });
    const tokens = [account.tokens.refreshToken, first.tokens?.refreshToken, second.tokens?.refreshToken];
    expect(new Set(tokens).size).to.equal(3);
    expect(second.tokens?.accessToken).to.not.equal(first.tokens?.accessToken);
    // Refreshing does not move the session's end.
    expect(second.tokens?.refreshExpireTime).to.deep.equal(account.tokens.refreshExpireTime);
    const { user } = await env.client.getMe({}, as({ token: second.tokens?.accessToken as string }));
    expect(user?.id).to.equal(account.user.id);
  });

  it("treats a rotated token presented again as theft: the whole family is revoked, the newest token too", async () => {
    const account = await register(env);
    const stolen = account.tokens.refreshToken;
    const { tokens: owners } = await env.client.refresh({ refreshToken: stolen });
    const { tokens: newest } = await env.client.refresh({ refreshToken: owners?.refreshToken as string });
    const replay = await failureOf(env.client.refresh({ refreshToken: stolen }));
    expect(replay.code).to.equal(Code.Unauthenticated);
    expect(await codeOf(env.client.refresh({ refreshToken: newest?.refreshToken as string }))).to.equal(
      Code.Unauthenticated,
    );
    const session = await env.db().findOneOrFail(SessionEntity, { userId: account.user.id });
    expect(session.revokeReason).to.equal("TOKEN_REUSED");
    // Other sessions of the user are untouched.
    const { tokens: elsewhere } = await env.client.login({ email: account.email, password: goodPassword });
    await env.client.refresh({ refreshToken: elsewhere?.refreshToken as string });
  });

  it("lets exactly one of two concurrent refreshes with one token through, and revokes the family", async () => {
    const account = await register(env);
    const results = await Promise.allSettled([
      env.client.refresh({ refreshToken: account.tokens.refreshToken }),
      env.client.refresh({ refreshToken: account.tokens.refreshToken }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).to.have.length(1);
    const winner = results.find((result) => result.status === "fulfilled");
    expect(await codeOf(env.client.refresh({ refreshToken: winner?.value.tokens?.refreshToken as string }))).to.equal(
      Code.Unauthenticated,
    );
  });

  it("refuses unknown and malformed tokens alike, and an empty one naming it", async () => {
    const unknown = await failureOf(env.client.refresh({ refreshToken: "A".repeat(43) }));
    const malformed = await failureOf(env.client.refresh({ refreshToken: "not a token" }));
    expect([unknown.code, malformed.code]).to.deep.equal([Code.Unauthenticated, Code.Unauthenticated]);
    expect(malformed.message).to.equal(unknown.message);
    expect(badFields(await failureOf(env.client.refresh({ refreshToken: "" })))).to.deep.equal(["refresh_token"]);
  });

  it("logs out one session: its family stops refreshing, the caller's other sessions go on", async () => {
    const account = await register(env);
    const { tokens: laptop } = await env.client.login({ email: account.email, password: goodPassword });
    const { tokens: rotated } = await env.client.refresh({ refreshToken: account.tokens.refreshToken });
    const { revokedCount } = await env.client.logout(
      { refreshToken: account.tokens.refreshToken },
      as({ token: account.token }),
    );
    expect(revokedCount).to.equal(1);
    expect(await codeOf(env.client.refresh({ refreshToken: rotated?.refreshToken as string }))).to.equal(
      Code.Unauthenticated,
    );
    await env.client.refresh({ refreshToken: laptop?.refreshToken as string });
    // Logging out again succeeds and revokes nothing.
    const again = await env.client.logout({ refreshToken: account.tokens.refreshToken }, as({ token: account.token }));
    expect(again.revokedCount).to.equal(0);
  });

  it("logs out everywhere, and refuses another user's token as not found", async () => {
    const account = await register(env);
    const other = await register(env);
    const notMine = await failureOf(
      env.client.logout({ refreshToken: other.tokens.refreshToken }, as({ token: account.token })),
    );
    expect(notMine.code).to.equal(Code.NotFound);
    expect(notMine.message).to.not.contain(other.tokens.refreshToken);
    await env.client.login({ email: account.email, password: goodPassword });
    const { revokedCount } = await env.client.logout({ allSessions: true }, as({ token: account.token }));
    expect(revokedCount).to.equal(2);
    expect(await codeOf(env.client.refresh({ refreshToken: account.tokens.refreshToken }))).to.equal(
      Code.Unauthenticated,
    );
    await env.client.refresh({ refreshToken: other.tokens.refreshToken });
  });

  it("needs a signed-in caller, and a token or all_sessions", async () => {
    const account = await register(env);
    expect(await codeOf(env.client.logout({ allSessions: true }))).to.equal(Code.Unauthenticated);
    const empty = await failureOf(env.client.logout({}, as({ token: account.token })));
    expect(badFields(empty)).to.deep.equal(["refresh_token"]);
  });
});
