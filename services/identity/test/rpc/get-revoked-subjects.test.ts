import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, createLogger, createTokenVerifier, refusingRevoked, watchIdentityRevocations } from "@marquee/mesh";
import { codeOf, failureOf, serviceToken, testKeys, waitFor } from "@marquee/mesh/testing";
import { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import { expect } from "chai";
import { as, register, registerAdmin, useIdentity } from "../support/testing.js";

describe("IdentityInternalService.GetRevokedSubjects", () => {
  const env = useIdentity();
  const log = createLogger("revoked-subjects-test", "silent");

  it("lists a disabled user until their last token has expired: the access-token lifetime plus slack", async () => {
    const admin = await registerAdmin(env);
    const account = await register(env);
    await env.client.disableUser({ userId: account.user.id }, as(admin));
    const { subjects } = await env.internal.getRevokedSubjects({});
    const entry = subjects.find((listed) => listed.subject === account.user.id);
    if (entry?.revokeTime === undefined || entry.expireTime === undefined) throw new Error("not listed with times");
    expect(timestampMs(entry.expireTime) - timestampMs(entry.revokeTime)).to.equal(env.deps.lifetimes.revocationMs);
  });

  it("shuts a disabled user out of a mesh verifier within seconds, through the mesh's watcher, and lets them back once enabled", async () => {
    const admin = await registerAdmin(env);
    const account = await register(env);
    // What `serve` and the BFF run with IDENTITY_ADDR set: mesh's watcher over identity's RPC, calling
    // with a service token, and the mesh's verifier over the JWKS file identity publishes into.
    const watcher = await watchIdentityRevocations({
      identityAddress: env.service.address,
      serviceToken: () => serviceToken("bff"),
      intervalMs: 100,
      log,
    });
    try {
      const verifier = refusingRevoked(createTokenVerifier({ jwksUrl: (await testKeys()).jwksPath }), watcher);
      expect((await verifier.verify(account.token)).subject).to.equal(account.user.id);
      await env.client.disableUser({ userId: account.user.id }, as(admin));
      const disabledAt = Date.now();
      const refusal = await waitFor("the disabled user's token refused", () =>
        verifier.verify(account.token).then(
          () => undefined,
          (error: unknown) => failureOf(Promise.reject(error)),
        ),
      );
      expect(refusal.code).to.equal(Code.Unauthenticated);
      expect(Date.now() - disabledAt, "refused within a poll or two").to.be.below(2000);
      expect((await verifier.verify(admin.token)).subject, "another user is not affected").to.equal(admin.user.id);

      await env.client.enableUser({ userId: account.user.id }, as(admin));
      await watcher.poll();
      expect((await verifier.verify(account.token)).subject).to.equal(account.user.id);
    } finally {
      await watcher.stop();
    }
  });

  it("serves the list to Marquee services only", async () => {
    const account = await register(env);
    const client = await env.service.client(IdentityInternalService);
    expect(await codeOf(client.getRevokedSubjects({}, { token: account.token }))).to.equal(Code.PermissionDenied);
  });
});
