import { Code } from "@marquee/mesh";
import { badFields, codeOf, failureOf, partnerToken, serviceToken, testId } from "@marquee/mesh/testing";
import { expect } from "chai";
import { UserEntity } from "../../src/entities/user.js";
import { as, register, tokenOfLink, useIdentity } from "../support/testing.js";

describe("IdentityService.GetMe, UpdateProfile and SendVerificationEmail", () => {
  const env = useIdentity({ settings: { MAILS_PER_ACCOUNT: "2" } });

  it("answers the caller's own account, and refuses anonymous, partner and service callers", async () => {
    const account = await register(env);
    const { user } = await env.client.getMe({}, as(account));
    expect(user).to.deep.include({ id: account.user.id, email: account.email });
    expect(await codeOf(env.client.getMe({}))).to.equal(Code.Unauthenticated);
    expect(
      await codeOf(env.client.getMe({}, as({ token: await partnerToken(testId("acme"), ["events.read"]) }))),
    ).to.equal(Code.PermissionDenied);
    expect(await codeOf(env.client.getMe({}, as({ token: await serviceToken("ordering") })))).to.equal(
      Code.PermissionDenied,
    );
  });

  it("changes the fields the mask names, and with no mask the ones given", async () => {
    const account = await register(env, { displayName: "Old Name" });
    const named = await env.client.updateProfile(
      { user: { displayName: " New Name ", phoneNumber: "+8801712345678" }, updateMask: { paths: ["phone_number"] } },
      as(account),
    );
    expect(named.user).to.deep.include({ displayName: "Old Name", phoneNumber: "+8801712345678" });
    const given = await env.client.updateProfile({ user: { displayName: " New Name " } }, as(account));
    expect(given.user).to.deep.include({ displayName: "New Name", phoneNumber: "+8801712345678" });
    const cleared = await env.client.updateProfile(
      { user: { phoneNumber: "" }, updateMask: { paths: ["phone_number"] } },
      as(account),
    );
    expect(cleared.user?.phoneNumber).to.equal("");
    // Output-only fields in the request are ignored: the email stays.
    const sneaky = await env.client.updateProfile({ user: { displayName: "Same", email: "x@evil.test" } }, as(account));
    expect(sneaky.user?.email).to.equal(account.email);
  });

  it("refuses a mask path it cannot change and bad values, naming each, and changes nothing", async () => {
    const account = await register(env, { displayName: "Kept" });
    const error = await failureOf(
      env.client.updateProfile(
        {
          user: { displayName: "line\nbreak", phoneNumber: "01712345678" },
          updateMask: { paths: ["display_name", "email", "phone_number"] },
        },
        as(account),
      ),
    );
    expect(error.code).to.equal(Code.InvalidArgument);
    expect(badFields(error)).to.deep.equal(["update_mask.paths[1]", "user.display_name", "user.phone_number"]);
    const row = await env.db().findOneOrFail(UserEntity, { id: account.user.id });
    expect(row.displayName).to.equal("Kept");
  });

  it("mails a new verification link on request, within the limit, and none once verified", async () => {
    const account = await register(env);
    await env.mail.nextMailTo(account.email);
    const { expireTime } = await env.client.sendVerificationEmail({}, as(account));
    expect(Number(expireTime?.seconds) * 1000).to.be.above(Date.now());
    const token = tokenOfLink((await env.mail.nextMailTo(account.email)).links[0] as string);
    await env.client.sendVerificationEmail({}, as(account));
    expect(await codeOf(env.client.sendVerificationEmail({}, as(account)))).to.equal(Code.ResourceExhausted);
    await env.client.verifyEmail({ token });
    const verified = await register(env);
    await env.client.verifyEmail({
      token: tokenOfLink((await env.mail.nextMailTo(verified.email)).links[0] as string),
    });
    expect(await codeOf(env.client.sendVerificationEmail({}, as(verified)))).to.equal(Code.FailedPrecondition);
  });
});
