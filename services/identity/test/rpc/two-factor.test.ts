import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf, preconditions } from "@marquee/mesh/testing";
import { RetryInfoSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { Role } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { expect } from "chai";
import { decodeJwt } from "jose";
import { MfaChallengeEntity } from "../../src/entities/mfa-challenge.js";
import { RecoveryCodeEntity } from "../../src/entities/recovery-code.js";
import { TotpFactorEntity } from "../../src/entities/totp-factor.js";
import {
  as,
  grantRoles,
  register,
  registerAdmin,
  signInWithCode,
  totpCode,
  turnOnTotp,
  useIdentity,
  wrongCodeFor,
} from "../support/testing.js";

/** The `amr` claim of an access token. */
function amrOf(accessToken: string | undefined): unknown {
  return decodeJwt(accessToken ?? "").amr;
}

/** Every string in a response, as JSON (bigints as text), to search for what must not be there. */
function textOf(response: unknown): string {
  return JSON.stringify(response, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

describe("two-factor sign-in: EnrollTotp, ConfirmTotp, CompleteLogin, DisableTotp", () => {
  const env = useIdentity();

  it("enrols: answers a base32 secret and its otpauth URI, stores the secret sealed, and changes nothing before confirmation", async () => {
    const account = await register(env);
    const { secret, otpauthUri, expireTime } = await env.client.enrollTotp({}, as(account));
    expect(secret).to.match(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).to.equal("otpauth:");
    expect(uri.host).to.equal("totp");
    expect(decodeURIComponent(uri.pathname)).to.equal(`/Marquee:${account.email}`);
    expect(uri.searchParams.get("secret")).to.equal(secret);
    expect(uri.searchParams.get("issuer")).to.equal("Marquee");
    expect(expireTime).to.not.equal(undefined);

    const row = await env.db().findOneOrFail(TotpFactorEntity, { userId: account.user.id });
    expect(row.secretSealed).to.match(/^dev:[\w-]+:[\w-]+$/);
    expect(row.secretSealed).to.not.include(secret);
    expect(row.confirmTime).to.equal(null);
    expect(env.deps.twoFactor.cipher.open(row.secretSealed, `totp_factor.secret:${account.user.id}`)).to.equal(secret);

    // Not on until confirmed: Login still signs in with the password alone.
    const { user } = await env.client.getMe({}, as(account));
    expect(user?.totpEnabled).to.equal(false);
    const login = await env.client.login({ email: account.email, password: account.password });
    expect(login.mfaChallenge).to.equal("");
    expect(amrOf(login.tokens?.accessToken)).to.deep.equal(["pwd"]);

    // Enrolling again replaces the pending secret: the first one's code no longer confirms.
    const second = await env.client.enrollTotp({}, as(account));
    expect(second.secret).to.not.equal(secret);
    const stale = await failureOf(env.client.confirmTotp({ code: await totpCode(secret) }, as(account)));
    expect(badFields(stale)).to.deep.equal(["code"]);
  });

  it("confirms with a first code: 10 distinct recovery codes shown once and stored hashed; a wrong code or a second confirmation is refused", async () => {
    const account = await register(env);
    const { secret } = await env.client.enrollTotp({}, as(account));
    const wrong = await failureOf(env.client.confirmTotp({ code: await wrongCodeFor(secret) }, as(account)));
    expect(wrong.code).to.equal(Code.InvalidArgument);
    expect(badFields(wrong)).to.deep.equal(["code"]);
    expect(badFields(await failureOf(env.client.confirmTotp({ code: "12345" }, as(account))))).to.deep.equal(["code"]);

    const { user, recoveryCodes } = await env.client.confirmTotp({ code: await totpCode(secret) }, as(account));
    expect(user?.totpEnabled).to.equal(true);
    expect(recoveryCodes).to.have.length(10);
    expect(new Set(recoveryCodes).size).to.equal(10);
    for (const code of recoveryCodes) expect(code).to.match(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const rows = await env.db().find(RecoveryCodeEntity, { userId: account.user.id });
    expect(rows).to.have.length(10);
    const stored = textOf(rows);
    for (const code of recoveryCodes) {
      expect(stored).to.not.include(code);
      expect(stored).to.not.include(code.replaceAll("-", ""));
    }

    const again = await failureOf(env.client.confirmTotp({ code: await totpCode(secret, 1) }, as(account)));
    expect(again.code).to.equal(Code.FailedPrecondition);
    expect(await codeOf(env.client.enrollTotp({}, as(account)))).to.equal(Code.FailedPrecondition);
    expect((await env.client.getMe({}, as(account))).user?.totpEnabled).to.equal(true);
  });

  it("signs in with a code: Login answers a challenge and no tokens, CompleteLogin answers tokens with amr pwd+otp, which Refresh keeps", async () => {
    const account = await register(env);
    const { secret } = await turnOnTotp(env, account);
    const login = await env.client.login({ email: account.email, password: account.password });
    expect(login.user).to.equal(undefined);
    expect(login.tokens).to.equal(undefined);
    expect(login.mfaChallenge).to.match(/^[\w-]{43}$/);
    expect(login.mfaChallengeExpireTime).to.not.equal(undefined);
    const stored = await env.db().findOneOrFail(MfaChallengeEntity, { userId: account.user.id });
    expect(stored.tokenHash).to.not.equal(login.mfaChallenge);

    const done = await env.client.completeLogin({ challenge: login.mfaChallenge, code: await totpCode(secret, 1) });
    expect(done.user?.id).to.equal(account.user.id);
    expect(done.user?.lastLoginTime).to.not.equal(undefined);
    expect(done.recoveryCodeUsed).to.equal(false);
    expect(done.recoveryCodesLeft).to.equal(10);
    expect(amrOf(done.tokens?.accessToken)).to.deep.equal(["pwd", "otp"]);
    // The token works, and the mesh reads how it was signed in.
    expect((await env.client.getMe({}, as({ token: done.tokens?.accessToken ?? "" }))).user?.id).to.equal(
      account.user.id,
    );
    const refreshed = await env.client.refresh({ refreshToken: done.tokens?.refreshToken ?? "" });
    expect(amrOf(refreshed.tokens?.accessToken)).to.deep.equal(["pwd", "otp"]);

    // A challenge signs in once.
    const reused = await failureOf(
      env.client.completeLogin({ challenge: login.mfaChallenge, code: await totpCode(secret, -1) }),
    );
    expect(reused.code).to.equal(Code.Unauthenticated);
    expect(badFields(await failureOf(env.client.completeLogin({ challenge: "", code: "" })))).to.deep.equal([
      "challenge",
      "code",
    ]);
  });

  it("refuses a replayed code: the code of a step used already, or of an earlier step, never signs in again", async () => {
    const account = await register(env);
    const { secret } = await turnOnTotp(env, account);
    // ConfirmTotp used the current step: its code cannot complete a sign-in.
    const confirmCode = await failureOf(signInWithCode(env, account, await totpCode(secret)));
    expect(confirmCode.code).to.equal(Code.Unauthenticated);
    const next = await totpCode(secret, 1);
    const first = await signInWithCode(env, account, next);
    expect(amrOf(first.tokens?.accessToken)).to.deep.equal(["pwd", "otp"]);
    const replayed = await failureOf(signInWithCode(env, account, next));
    expect(replayed.code).to.equal(Code.Unauthenticated);
    expect(replayed.message).to.include("used already");
  });

  it("refuses a wrong code, keeps the challenge for a retry, and throttles guessing like Login with a RetryInfo", async () => {
    const account = await register(env);
    const { secret, recoveryCodes } = await turnOnTotp(env, account);
    const { mfaChallenge } = await env.client.login({ email: account.email, password: account.password });
    const wrong = await wrongCodeFor(secret);
    const refused = await failureOf(env.client.completeLogin({ challenge: mfaChallenge, code: wrong }));
    expect(refused.code).to.equal(Code.Unauthenticated);
    const retried = await env.client.completeLogin({ challenge: mfaChallenge, code: await totpCode(secret, 1) });
    expect(retried.user?.id).to.equal(account.user.id);

    // LOGIN_FAILURES_PER_ACCOUNT (5) wrong codes, over fresh challenges too: then even a right code waits.
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(signInWithCode(env, account, wrong))).to.equal(Code.Unauthenticated);
    }
    const throttled = await failureOf(signInWithCode(env, account, recoveryCodes[0] as string));
    expect(throttled.code).to.equal(Code.ResourceExhausted);
    expect(throttled.findDetails(RetryInfoSchema)).to.have.length(1);
    // The refused right code was not spent: nothing was checked.
    expect(await env.db().count(RecoveryCodeEntity, { userId: account.user.id, useTime: null })).to.equal(10);
  });

  it("signs in with each recovery code exactly once, in any case and with or without dashes", async () => {
    const account = await register(env);
    const { recoveryCodes } = await turnOnTotp(env, account);
    let left = 10;
    for (const [index, code] of recoveryCodes.entries()) {
      const typed = index % 2 === 0 ? code.toUpperCase() : code.replaceAll("-", " ");
      const done = await signInWithCode(env, account, typed);
      left -= 1;
      expect(done.recoveryCodeUsed, code).to.equal(true);
      expect(done.recoveryCodesLeft, code).to.equal(left);
      expect(amrOf(done.tokens?.accessToken)).to.deep.equal(["pwd", "otp"]);
      expect(await codeOf(signInWithCode(env, account, code)), `${code} a second time`).to.equal(Code.Unauthenticated);
    }
    const rows = await env.db().find(RecoveryCodeEntity, { userId: account.user.id });
    expect(rows.every((row) => row.useTime !== null)).to.equal(true);
  });

  it("disables with a code: the secret and recovery codes are deleted, Login signs in with the password again, refreshed tokens stop saying otp", async () => {
    const account = await register(env);
    const { secret, recoveryCodes } = await turnOnTotp(env, account);
    const session = await signInWithCode(env, account, recoveryCodes[0] as string);
    const caller = as({ token: session.tokens?.accessToken ?? "" });
    const wrong = await failureOf(env.client.disableTotp({ code: await wrongCodeFor(secret) }, caller));
    expect(wrong.code).to.equal(Code.InvalidArgument);
    expect(badFields(wrong)).to.deep.equal(["code"]);
    const spent = await failureOf(env.client.disableTotp({ code: recoveryCodes[0] as string }, caller));
    expect(badFields(spent)).to.deep.equal(["code"]);

    const { user } = await env.client.disableTotp({ code: await totpCode(secret, 1) }, caller);
    expect(user?.totpEnabled).to.equal(false);
    expect(await env.db().count(TotpFactorEntity, { userId: account.user.id })).to.equal(0);
    expect(await env.db().count(RecoveryCodeEntity, { userId: account.user.id })).to.equal(0);
    const login = await env.client.login({ email: account.email, password: account.password });
    expect(login.mfaChallenge).to.equal("");
    expect(amrOf(login.tokens?.accessToken)).to.deep.equal(["pwd"]);
    const refreshed = await env.client.refresh({ refreshToken: session.tokens?.refreshToken ?? "" });
    expect(amrOf(refreshed.tokens?.accessToken)).to.deep.equal(["pwd"]);
    expect(await codeOf(env.client.disableTotp({ code: await totpCode(secret, 1) }, caller))).to.equal(
      Code.FailedPrecondition,
    );
  });

  it("disables with a recovery code, for a user who lost the phone", async () => {
    const account = await register(env);
    const { recoveryCodes } = await turnOnTotp(env, account);
    const { user } = await env.client.disableTotp({ code: recoveryCodes[3] as string }, as(account));
    expect(user?.totpEnabled).to.equal(false);
  });

  it("never answers with the secret after enrolment: not in confirmation, sign-in, refresh, GetMe, the admin RPCs or DisableTotp", async () => {
    const admin = await registerAdmin(env);
    const account = await register(env);
    const { secret, otpauthUri } = await env.client.enrollTotp({}, as(account));
    const sealed = (await env.db().findOneOrFail(TotpFactorEntity, { userId: account.user.id })).secretSealed;
    const responses: unknown[] = [];
    const confirmed = await env.client.confirmTotp({ code: await totpCode(secret) }, as(account));
    responses.push(confirmed);
    const login = await env.client.login({ email: account.email, password: account.password });
    responses.push(login);
    const done = await env.client.completeLogin({ challenge: login.mfaChallenge, code: await totpCode(secret, 1) });
    responses.push(done);
    const token = done.tokens?.accessToken ?? "";
    responses.push(decodeJwt(token));
    responses.push(await env.client.refresh({ refreshToken: done.tokens?.refreshToken ?? "" }));
    responses.push(await env.client.getMe({}, as({ token })));
    responses.push(await env.client.getUser({ userId: account.user.id }, as(admin)));
    responses.push(await env.client.listUsers({ pageSize: 200 }, as(admin)));
    const refusal = await failureOf(env.client.enrollTotp({}, as({ token })));
    responses.push({ message: refusal.message, details: refusal.details, metadata: [...refusal.metadata] });
    responses.push(await env.client.disableTotp({ code: confirmed.recoveryCodes[0] as string }, as({ token })));
    const text = responses.map(textOf).join("\n");
    // The search sees what the responses carry: the account, its tokens.
    expect(text).to.include(account.user.id).and.to.include(token);
    for (const secretForm of [secret, secret.toLowerCase(), sealed, otpauthUri]) {
      expect(text).to.not.include(secretForm);
    }
  });

  describe("SetUserRoles needs a second factor", () => {
    it("refuses an admin whose token is from a password sign-in with FAILED_PRECONDITION MFA_REQUIRED, and changes nothing", async () => {
      const admin = await register(env);
      await grantRoles(env, admin.user.id, ["organizer", "admin"]);
      const login = await env.client.login({ email: admin.email, password: admin.password });
      const passwordOnly = as({ token: login.tokens?.accessToken ?? "" });
      expect(amrOf(login.tokens?.accessToken)).to.deep.equal(["pwd"]);
      const target = await register(env);
      const refused = await failureOf(
        env.client.setUserRoles({ userId: target.user.id, roles: [Role.ORGANIZER] }, passwordOnly),
      );
      expect(refused.code).to.equal(Code.FailedPrecondition);
      expect(preconditions(refused)).to.deep.equal([{ type: "MFA_REQUIRED", subject: `user:${admin.user.id}` }]);
      // Other admin RPCs need no second factor.
      const { user } = await env.client.getUser({ userId: target.user.id }, passwordOnly);
      expect(user?.roles).to.deep.equal([Role.CUSTOMER]);

      // Turning two-factor sign-in on does not upgrade the token in hand: it needs a sign-in with a code.
      const { secret } = await turnOnTotp(env, { token: login.tokens?.accessToken ?? "" });
      expect(
        preconditions(
          await failureOf(env.client.setUserRoles({ userId: target.user.id, roles: [Role.ORGANIZER] }, passwordOnly)),
        ).map((violation) => violation.type),
      ).to.deep.equal(["MFA_REQUIRED"]);
      const withCode = await signInWithCode(env, admin, await totpCode(secret, 1));
      const allowed = await env.client.setUserRoles(
        { userId: target.user.id, roles: [Role.ORGANIZER] },
        as({ token: withCode.tokens?.accessToken ?? "" }),
      );
      expect(allowed.user?.roles).to.deep.equal([Role.CUSTOMER, Role.ORGANIZER]);
    });

    it("allows an admin signed in with a TOTP code", async () => {
      const admin = await registerAdmin(env);
      expect(amrOf(admin.token)).to.deep.equal(["pwd", "otp"]);
      const target = await register(env);
      const { user } = await env.client.setUserRoles({ userId: target.user.id, roles: [Role.ORGANIZER] }, as(admin));
      expect(user?.roles).to.deep.equal([Role.CUSTOMER, Role.ORGANIZER]);
    });
  });
});
