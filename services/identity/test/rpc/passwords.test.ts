import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf } from "@marquee/mesh/testing";
import { expect } from "chai";
import { UserEntity } from "../../src/entities/user.js";
import { as, goodPassword, newEmail, register, tokenOfLink, useIdentity } from "../support/testing.js";

const newPassword = "a much better passphrase";

describe("IdentityService.ChangePassword", () => {
  const env = useIdentity({ settings: { LOGIN_FAILURES_PER_ACCOUNT: "3" } });

  it("changes the password, signs out every other session, and hands this device new tokens", async () => {
    const account = await register(env);
    const { tokens: phone } = await env.client.login({ email: account.email, password: goodPassword });
    const { tokens } = await env.client.changePassword(
      { currentPassword: goodPassword, newPassword },
      as({ token: account.token }),
    );
    expect(tokens?.refreshToken).to.match(/^[A-Za-z0-9_-]{43}$/);
    for (const old of [account.tokens.refreshToken, phone?.refreshToken as string]) {
      expect(await codeOf(env.client.refresh({ refreshToken: old }))).to.equal(Code.Unauthenticated);
    }
    await env.client.refresh({ refreshToken: tokens?.refreshToken as string });
    expect(await codeOf(env.client.login({ email: account.email, password: goodPassword }))).to.equal(
      Code.Unauthenticated,
    );
    await env.client.login({ email: account.email, password: newPassword });
  });

  it("refuses a wrong current password and a bad new one, naming each, and changes nothing", async () => {
    const account = await register(env);
    const error = await failureOf(
      env.client.changePassword(
        { currentPassword: "not my password", newPassword: "short" },
        as({ token: account.token }),
      ),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["new_password"]);
    const wrong = await failureOf(
      env.client.changePassword({ currentPassword: "not my password", newPassword }, as({ token: account.token })),
    );
    expect(badFields(wrong)).to.deep.equal(["current_password"]);
    for (const refused of [goodPassword, account.email.toUpperCase()]) {
      const same = await failureOf(
        env.client.changePassword(
          { currentPassword: goodPassword, newPassword: refused },
          as({ token: account.token }),
        ),
      );
      expect(badFields(same), refused).to.deep.equal(["new_password"]);
    }
    await env.client.login({ email: account.email, password: goodPassword });
  });

  it("counts wrong current passwords as failed sign-ins of the address", async () => {
    const account = await register(env);
    for (let i = 0; i < 3; i++) {
      await failureOf(
        env.client.changePassword({ currentPassword: `guess number ${i}`, newPassword }, as({ token: account.token })),
      );
    }
    expect(
      await codeOf(
        env.client.changePassword({ currentPassword: goodPassword, newPassword }, as({ token: account.token })),
      ),
    ).to.equal(Code.ResourceExhausted);
    expect(await codeOf(env.client.login({ email: account.email, password: goodPassword }))).to.equal(
      Code.ResourceExhausted,
    );
  });
});

describe("IdentityService.RequestPasswordReset and ResetPassword", () => {
  const env = useIdentity({ settings: { MAILS_PER_ACCOUNT: "2" } });

  it("resets a password end to end through the mailed link, signing out every session", async () => {
    const account = await register(env);
    expect(await env.client.requestPasswordReset({ email: account.email.toUpperCase() })).to.deep.include({});
    const mail = await env.mail.nextMailTo(account.email, /reset your marquee password/i);
    const link = mail.links.find((candidate) => candidate.includes("/reset-password")) as string;
    expect(link).to.match(/^http:\/\/marquee\.test\/app\/reset-password#token=/);
    const token = tokenOfLink(link);

    const weak = await failureOf(env.client.resetPassword({ token, newPassword: account.email }));
    expect(badFields(weak)).to.deep.equal(["new_password"]);
    // A refused password leaves the link usable.
    await env.client.resetPassword({ token, newPassword });
    expect(await codeOf(env.client.refresh({ refreshToken: account.tokens.refreshToken }))).to.equal(
      Code.Unauthenticated,
    );
    expect(await codeOf(env.client.login({ email: account.email, password: goodPassword }))).to.equal(
      Code.Unauthenticated,
    );
    const { user } = await env.client.login({ email: account.email, password: newPassword });
    expect(user?.emailVerified, "the link reached the address").to.equal(true);
    const reused = await failureOf(env.client.resetPassword({ token, newPassword: "yet another passphrase" }));
    expect(badFields(reused)).to.deep.equal(["token"]);
  });

  it("answers an unknown address as a known one, and mails nobody", async () => {
    const stranger = newEmail("stranger");
    const before = env.mail.mails.length;
    expect(await env.client.requestPasswordReset({ email: stranger })).to.deep.include({});
    await env.deps.mailer.drain();
    expect(env.mail.mails.length).to.equal(before);
  });

  it("limits the mails per address, for unknown addresses too", async () => {
    const account = await register(env);
    const stranger = newEmail("stranger");
    for (const email of [account.email, stranger]) {
      await env.client.requestPasswordReset({ email });
      await env.client.requestPasswordReset({ email });
      expect(await codeOf(env.client.requestPasswordReset({ email })), email).to.equal(Code.ResourceExhausted);
    }
  });

  it("refuses a bad address and a made-up token", async () => {
    expect(badFields(await failureOf(env.client.requestPasswordReset({ email: "nobody" })))).to.deep.equal(["email"]);
    const made = await failureOf(env.client.resetPassword({ token: "B".repeat(43), newPassword }));
    expect(badFields(made)).to.deep.equal(["token"]);
  });

  it("mails no link to a disabled account", async () => {
    const account = await register(env);
    await env.db().nativeUpdate(UserEntity, { id: account.user.id }, { disableTime: new Date() });
    await env.client.requestPasswordReset({ email: account.email });
    await env.deps.mailer.drain();
    expect(
      env.mail.mails.filter((mail) => mail.to.includes(account.email) && /reset/i.test(mail.subject)),
    ).to.have.length(0);
  });
});
