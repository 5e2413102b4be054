import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf, serviceToken } from "@marquee/mesh/testing";
import { RetryInfoSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { expect } from "chai";
import { PasswordHasher } from "../../src/domain/password-hash.js";
import { UserEntity } from "../../src/entities/user.js";
import { as, goodPassword, newEmail, register, useIdentity, viaBff } from "../support/testing.js";

/** The median of the durations of `runs` calls of `call`, in milliseconds. */
async function medianMs(runs: number, call: () => Promise<unknown>): Promise<number> {
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await call().catch(() => undefined);
    durations.push(performance.now() - start);
  }
  return durations.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

describe("IdentityService.Login", () => {
  const env = useIdentity({ settings: { LOGIN_FAILURES_PER_ACCOUNT: "3", LOGIN_FAILURES_PER_IP: "5" } });

  it("signs in with the address in any case, and records the sign-in", async () => {
    const account = await register(env);
    const { user, tokens } = await env.client.login({ email: account.email.toUpperCase(), password: goodPassword });
    expect(user?.id).to.equal(account.user.id);
    expect(tokens?.accessToken).to.not.equal(account.tokens.accessToken);
    expect(tokens?.refreshToken).to.not.equal(account.tokens.refreshToken);
    expect(user?.lastLoginTime).to.not.equal(undefined);
  });

  it("answers a wrong password and an unknown address alike: same code, same message, same time", async () => {
    const account = await register(env);
    const wrong = await failureOf(env.client.login({ email: account.email, password: "not the password" }));
    const unknown = await failureOf(env.client.login({ email: newEmail("nobody"), password: "not the password" }));
    expect(wrong.code).to.equal(Code.Unauthenticated);
    expect(unknown.code).to.equal(Code.Unauthenticated);
    expect(unknown.message).to.equal(wrong.message);
    // Each address its own throttle, so none of the timed calls is refused before scrypt runs.
    const knownAddresses = await Promise.all([1, 2, 3, 4, 5].map(() => register(env)));
    let known = 0;
    let stranger = 0;
    const wrongMs = await medianMs(5, () =>
      env.client.login({ email: (knownAddresses[known++] as { email: string }).email, password: "nope nope nope" }),
    );
    const unknownMs = await medianMs(5, () =>
      env.client.login({ email: `${stranger++}-${newEmail("ghost")}`, password: "nope nope nope" }),
    );
    // Both run one scrypt (the unknown address against a dummy hash), which dominates; a shared machine
    // is noisy, so the bound is loose — without the dummy hash the unknown address answers many times faster.
    expect(unknownMs, `wrong password ${wrongMs} ms, unknown address ${unknownMs} ms`).to.be.above(wrongMs * 0.4);
  });

  it("refuses empty fields naming them", async () => {
    const error = await failureOf(env.client.login({ email: "", password: "" }));
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["email", "password"]);
  });

  it("stops an address after too many failures, even with the right password, and says when to retry", async () => {
    const account = await register(env);
    for (let i = 0; i < 3; i++) {
      expect(
        (await failureOf(env.client.login({ email: account.email, password: `wrong ${i} password` }))).code,
      ).to.equal(Code.Unauthenticated);
    }
    const limited = await failureOf(env.client.login({ email: account.email, password: goodPassword }));
    expect(limited.code).to.equal(Code.ResourceExhausted);
    const [retry] = limited.findDetails(RetryInfoSchema);
    expect(Number(retry?.retryDelay?.seconds)).to.be.within(800, 900);
    // Another address is not affected.
    const other = await register(env);
    await env.client.login({ email: other.email, password: goodPassword });
  });

  it("forgets an address's failures once its owner signs in", async () => {
    const account = await register(env);
    for (let i = 0; i < 2; i++)
      await failureOf(env.client.login({ email: account.email, password: "wrong password!" }));
    await env.client.login({ email: account.email, password: goodPassword });
    for (let i = 0; i < 2; i++)
      await failureOf(env.client.login({ email: account.email, password: "wrong password!" }));
    await env.client.login({ email: account.email, password: goodPassword });
  });

  it("stops a client IP the BFF vouches for after too many failures across addresses, while other IPs sign in", async () => {
    const ip = "203.0.113.9";
    const victim = await register(env);
    for (let i = 0; i < 5; i++) {
      await failureOf(env.client.login({ email: newEmail(`spray${i}`), password: "Spring2026!!" }, await viaBff(ip)));
    }
    const limited = await failureOf(
      env.client.login({ email: victim.email, password: goodPassword }, await viaBff(ip)),
    );
    expect(limited.code).to.equal(Code.ResourceExhausted);
    await env.client.login({ email: victim.email, password: goodPassword }, await viaBff("203.0.113.10"));
  });

  it("ignores a client IP header from anyone but the BFF: an end user cannot pick its bucket", async () => {
    const ip = "203.0.113.20";
    for (let i = 0; i < 5; i++) {
      await failureOf(env.client.login({ email: newEmail(`spray${i}`), password: "Spring2026!!" }, await viaBff(ip)));
    }
    const victim = await register(env);
    const other = await register(env);
    // Sent by the client itself, anonymous or with its own token, or by another service: not the BFF's
    // word, so the full bucket of the address they name does not refuse them.
    await env.client.login({ email: victim.email, password: goodPassword }, as({ ip }));
    await env.client.login({ email: victim.email, password: goodPassword }, as({ token: other.token, ip }));
    await env.client.login(
      { email: victim.email, password: goodPassword },
      as({ token: await serviceToken("ordering"), ip }),
    );
    expect(await codeOf(env.client.login({ email: victim.email, password: goodPassword }, await viaBff(ip)))).to.equal(
      Code.ResourceExhausted,
    );
  });

  it("upgrades a password hash made at a lower cost at the next sign-in", async () => {
    const account = await register(env);
    const weaker = await new PasswordHasher({ logN: 10, r: 8, p: 1 }).hash(goodPassword);
    await env.db().nativeUpdate(UserEntity, { id: account.user.id }, { passwordHash: weaker });
    await env.client.login({ email: account.email, password: goodPassword });
    const row = await env.db().findOneOrFail(UserEntity, { id: account.user.id });
    expect(row.passwordHash).to.match(/^\$scrypt\$ln=15,r=8,p=1\$/);
    await env.client.login({ email: account.email, password: goodPassword });
  });
});
