import { create } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { Code } from "@marquee/mesh";
import { badFields, failureOf } from "@marquee/mesh/testing";
import { RegisterRequestSchema } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { Role } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { expect } from "chai";
import { UserEntity } from "../../src/entities/user.js";
import { as, goodPassword, newEmail, register, tokenOfLink, useIdentity } from "../support/testing.js";

describe("IdentityService.Register and VerifyEmail", () => {
  const env = useIdentity({ settings: { REGISTRATIONS_PER_IP: "3" } });

  it("registers, mails a verification link, verifies it, then signs in and reads the account", async () => {
    const email = newEmail("ana");
    const registered = await register(env, { email, displayName: "  Ana Rahman " });
    expect(registered.user.email).to.equal(email);
    expect(registered.user.displayName).to.equal("Ana Rahman");
    expect(registered.user.roles).to.deep.equal([Role.CUSTOMER]);
    expect(registered.user.emailVerified).to.equal(false);
    expect(registered.user.passwordSet).to.equal(true);
    expect(registered.tokens.tokenType).to.equal("Bearer");
    expect(registered.tokens.refreshToken).to.match(/^[A-Za-z0-9_-]{43}$/);

    const mail = await env.mail.nextMailTo(email, /confirm your email/i);
    expect(mail.from).to.contain("no-reply@");
    const link = mail.links.find((candidate) => candidate.includes("/verify-email"));
    expect(link, mail.text).to.match(/^http:\/\/marquee\.test\/app\/verify-email#token=/);
    const { user: verified } = await env.client.verifyEmail({ token: tokenOfLink(link as string) });
    expect(verified?.emailVerified).to.equal(true);

    const { tokens } = await env.client.login({ email: email.toUpperCase(), password: goodPassword });
    const { user: me } = await env.client.getMe({}, as({ token: tokens?.accessToken as string }));
    expect(me?.id).to.equal(registered.user.id);
    expect(me?.emailVerified).to.equal(true);
    expect(me?.lastLoginTime).to.not.equal(undefined);
  });

  it("takes a verification link once only", async () => {
    const { email } = await register(env);
    const token = tokenOfLink((await env.mail.nextMailTo(email)).links[0] as string);
    await env.client.verifyEmail({ token });
    const again = await failureOf(env.client.verifyEmail({ token }));
    expect(again.code).to.equal(Code.InvalidArgument);
    expect(badFields(again)).to.deep.equal(["token"]);
    const made = await failureOf(env.client.verifyEmail({ token: "x".repeat(43) }));
    expect(badFields(made)).to.deep.equal(["token"]);
  });

  it("makes every new account an unverified customer, whatever else the request carries", async () => {
    // A client that sends User's fields roles (5: ROLE_ADMIN) and email_verified (13: true) inside a
    // RegisterRequest, as if they were its own: the server decodes them as unknown fields and reads none.
    const email = newEmail("mallory");
    const request = create(RegisterRequestSchema, { email, password: goodPassword, displayName: "Mallory" });
    request.$unknown = [
      { no: 5, wireType: WireType.Varint, data: Uint8Array.of(Role.ADMIN) },
      { no: 13, wireType: WireType.Varint, data: Uint8Array.of(1) },
    ];
    const { user } = await env.client.register(request);
    expect(user?.roles).to.deep.equal([Role.CUSTOMER]);
    expect(user?.emailVerified).to.equal(false);
    expect(user?.disabled).to.equal(false);
    const row = await env.db().findOneOrFail(UserEntity, { id: user?.id as string });
    expect(row.roles).to.deep.equal(["customer"]);
    expect(row.emailVerifyTime).to.equal(null);
  });

  it("refuses bad input naming every bad field, and stores nothing", async () => {
    const email = newEmail("bad");
    const error = await failureOf(
      env.client.register({ email: "not-an-address", password: "short", displayName: "  " }),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["email", "password", "display_name"]);
    for (const [password, why] of [
      ["password1234!", /too common/],
      [email, /email address/],
      ["x".repeat(129), /at most 128/],
    ] as const) {
      const refused = await failureOf(env.client.register({ email, password, displayName: "Bad" }));
      expect(badFields(refused), password).to.deep.equal(["password"]);
      expect(refused.message).to.match(why);
    }
    expect(await env.db().count(UserEntity, { emailKey: email })).to.equal(0);
  });

  it("normalises addresses: one account however the address is cased or composed", async () => {
    const local = `Zoe-${Date.now()}`;
    const { user } = await register(env, { email: `  ${local}@Example.COM ` });
    expect(user.email).to.equal(`${local}@example.com`);
    const twice = await failureOf(register(env, { email: `${local.toLowerCase()}@EXAMPLE.com` }));
    expect(twice.code).to.equal(Code.AlreadyExists);
    // "é" precomposed (NFC) and as "e" plus a combining acute accent are one address.
    await register(env, { email: `jos\u00e9-${local}@example.com` });
    const decomposed = await failureOf(register(env, { email: `jose\u0301-${local}@example.com` }));
    expect(decomposed.code).to.equal(Code.AlreadyExists);
  });

  it("limits registrations per client IP", async () => {
    const ip = "198.51.100.7";
    const limit = Number(env.service.parts.config.REGISTRATIONS_PER_IP);
    for (let i = 0; i < limit; i++) await register(env, { ip });
    const refused = await failureOf(register(env, { ip }));
    expect(refused.code).to.equal(Code.ResourceExhausted);
    await register(env, { ip: "198.51.100.8" });
  });
});
