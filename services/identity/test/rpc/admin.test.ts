import { Code } from "@marquee/mesh";
import { adminToken, badFields, codeOf, failureOf } from "@marquee/mesh/testing";
import { Role } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { expect } from "chai";
import { decodeJwt } from "jose";
import {
  type Account,
  as,
  goodPassword,
  grantRoles,
  register,
  registerAdmin,
  useIdentity,
} from "../support/testing.js";

describe("identity's admin RPCs: ListUsers, GetUser, SetUserRoles, DisableUser, EnableUser", () => {
  const env = useIdentity();
  let admin: Account;

  before(async () => {
    admin = await registerAdmin(env);
  });

  it("lists users newest first, a page at a time, with filters kept across pages", async () => {
    const tag = `pager${Date.now()}`;
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await register(env, { email: `${tag}-${i}@example.org` })).user.id);
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await env.client.listUsers({ pageSize: 2, pageToken, emailQuery: tag.toUpperCase() }, as(admin));
      expect(page.users.length).to.be.at.most(2);
      seen.push(...page.users.map((user) => user.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).to.deep.equal([...created].reverse());
    const first = await env.client.listUsers({ pageSize: 2, emailQuery: tag }, as(admin));
    const otherFilter = await failureOf(
      env.client.listUsers({ pageSize: 2, pageToken: first.nextPageToken, emailQuery: "other" }, as(admin)),
    );
    expect(badFields(otherFilter)).to.deep.equal(["page_token"]);
    expect(badFields(await failureOf(env.client.listUsers({ pageSize: -1 }, as(admin))))).to.deep.equal(["page_size"]);
  });

  it("filters by role and by disabled state, and treats LIKE wildcards in the query literally", async () => {
    const organizer = await register(env);
    await env.client.setUserRoles({ userId: organizer.user.id, roles: [Role.ORGANIZER] }, as(admin));
    const { users: organizers } = await env.client.listUsers({ role: Role.ORGANIZER, pageSize: 200 }, as(admin));
    expect(organizers.map((user) => user.id)).to.include(organizer.user.id);
    expect(organizers.every((user) => user.roles.includes(Role.ORGANIZER))).to.equal(true);
    const { users: wildcards } = await env.client.listUsers({ emailQuery: "%" }, as(admin));
    expect(wildcards).to.deep.equal([]);
    const { users: disabled } = await env.client.listUsers({ disabledOnly: true, pageSize: 200 }, as(admin));
    expect(disabled.every((user) => user.disabled)).to.equal(true);
  });

  it("gets one user, NOT_FOUND for an unknown id, INVALID_ARGUMENT for a malformed one", async () => {
    const account = await register(env);
    const { user } = await env.client.getUser({ userId: account.user.id }, as(admin));
    expect(user?.email).to.equal(account.email);
    expect(await codeOf(env.client.getUser({ userId: "00000000-0000-4000-8000-000000000000" }, as(admin)))).to.equal(
      Code.NotFound,
    );
    expect(badFields(await failureOf(env.client.getUser({ userId: "ABC" }, as(admin))))).to.deep.equal(["user_id"]);
  });

  it("refuses customers and anonymous callers, and an admin token of no account", async () => {
    const customer = await register(env);
    for (const call of [
      env.client.listUsers({}, as(customer)),
      env.client.getUser({ userId: customer.user.id }, as(customer)),
      env.client.setUserRoles({ userId: customer.user.id, roles: [Role.ADMIN] }, as(customer)),
      env.client.disableUser({ userId: admin.user.id }, as(customer)),
      env.client.enableUser({ userId: customer.user.id }, as(customer)),
    ]) {
      expect(await codeOf(call)).to.equal(Code.PermissionDenied);
    }
    expect(await codeOf(env.client.listUsers({}))).to.equal(Code.Unauthenticated);
    // A well-signed admin token whose subject has no account here.
    expect(await codeOf(env.client.listUsers({}, as({ token: await adminToken() })))).to.equal(Code.Unauthenticated);
  });

  it("sets roles: customer always kept, duplicates dropped; new tokens carry them", async () => {
    const account = await register(env);
    const { user } = await env.client.setUserRoles(
      { userId: account.user.id, roles: [Role.ADMIN, Role.ORGANIZER, Role.ORGANIZER] },
      as(admin),
    );
    expect(user?.roles).to.deep.equal([Role.CUSTOMER, Role.ORGANIZER, Role.ADMIN]);
    const { tokens } = await env.client.refresh({ refreshToken: account.tokens.refreshToken });
    expect(decodeJwt(tokens?.accessToken as string).roles).to.deep.equal(["customer", "organizer", "admin"]);
    const cleared = await env.client.setUserRoles({ userId: account.user.id, roles: [] }, as(admin));
    expect(cleared.user?.roles).to.deep.equal([Role.CUSTOMER]);
    expect(
      badFields(
        await failureOf(env.client.setUserRoles({ userId: account.user.id, roles: [Role.UNSPECIFIED] }, as(admin))),
      ),
    ).to.deep.equal(["roles[0]"]);
  });

  it("refuses an admin removing their own admin role or disabling themselves", async () => {
    const self = await registerAdmin(env);
    const demote = await failureOf(
      env.client.setUserRoles({ userId: self.user.id, roles: [Role.ORGANIZER] }, as(self)),
    );
    expect(demote.code).to.equal(Code.FailedPrecondition);
    expect(await codeOf(env.client.disableUser({ userId: self.user.id }, as(self)))).to.equal(Code.FailedPrecondition);
  });

  it("refuses a demoted admin at once, although their token still says admin", async () => {
    const demoted = await registerAdmin(env);
    await grantRoles(env, demoted.user.id, []);
    expect(await codeOf(env.client.listUsers({}, as(demoted)))).to.equal(Code.PermissionDenied);
  });

  it("disables a user: no sign-in, no refresh, identity refuses their live token, and they are listed as revoked", async () => {
    const account = await register(env);
    const { user } = await env.client.disableUser({ userId: account.user.id, reason: "chargeback fraud" }, as(admin));
    expect(user?.disabled).to.equal(true);
    expect(user?.disableTime).to.not.equal(undefined);
    const login = await failureOf(env.client.login({ email: account.email, password: goodPassword }));
    expect(login.code).to.equal(Code.PermissionDenied);
    // A wrong password is still just wrong: the disabled state is told only to who knows the password.
    expect(await codeOf(env.client.login({ email: account.email, password: "wrong password!" }))).to.equal(
      Code.Unauthenticated,
    );
    expect(await codeOf(env.client.refresh({ refreshToken: account.tokens.refreshToken }))).to.equal(
      Code.Unauthenticated,
    );
    expect(await codeOf(env.client.getMe({}, as(account)))).to.equal(Code.PermissionDenied);
    const { subjects } = await env.internal.getRevokedSubjects({});
    expect(subjects.map((entry) => entry.subject)).to.include(account.user.id);
    // Disabling again changes nothing.
    const again = await env.client.disableUser({ userId: account.user.id }, as(admin));
    expect(again.user?.disableTime).to.deep.equal(user?.disableTime);
  });

  it("enables a user again: they sign in anew, their old sessions stay revoked, and they leave the list", async () => {
    const account = await register(env);
    await env.client.disableUser({ userId: account.user.id }, as(admin));
    const { user } = await env.client.enableUser({ userId: account.user.id }, as(admin));
    expect(user?.disabled).to.equal(false);
    expect(await codeOf(env.client.refresh({ refreshToken: account.tokens.refreshToken }))).to.equal(
      Code.Unauthenticated,
    );
    const { tokens } = await env.client.login({ email: account.email, password: goodPassword });
    await env.client.getMe({}, as({ token: tokens?.accessToken as string }));
    const { subjects } = await env.internal.getRevokedSubjects({});
    expect(subjects.map((entry) => entry.subject)).to.not.include(account.user.id);
  });

  it("never answers with a password hash or anyone's refresh token", async () => {
    const account = await register(env);
    const answers = [
      await env.client.getUser({ userId: account.user.id }, as(admin)),
      await env.client.listUsers({ pageSize: 200 }, as(admin)),
      await env.client.getMe({}, as(account)),
      await env.client.disableUser({ userId: account.user.id }, as(admin)),
    ];
    const text = JSON.stringify(answers, (_key, value) => (typeof value === "bigint" ? String(value) : value));
    expect(text).to.not.match(/\$scrypt\$/);
    expect(text).to.not.contain(account.tokens.refreshToken);
    expect(text).to.not.contain(admin.tokens.refreshToken);
  });
});
