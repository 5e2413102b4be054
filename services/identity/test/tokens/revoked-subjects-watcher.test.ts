import { Code, createLogger, createTokenVerifier } from "@marquee/mesh";
import { codeOf, failureOf, testKeys, waitFor } from "@marquee/mesh/testing";
import { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import { expect } from "chai";
import { refusingRevoked, watchRevokedSubjects } from "../../src/tokens/revoked-subjects-watcher.js";
import { as, register, registerAdmin, useIdentity } from "../support/testing.js";

describe("watchRevokedSubjects and refusingRevoked: a disabled user's live token refused within seconds", () => {
  const env = useIdentity();
  const log = createLogger("watcher-test", "silent");

  it("refuses the token of a user disabled a moment ago, and accepts it again once enabled", async () => {
    const admin = await registerAdmin(env);
    const account = await register(env);
    const watcher = watchRevokedSubjects(env.internal, { intervalMs: 100, log });
    try {
      // The mesh's own verifier, over the JWKS file identity publishes into, as any mesh server has it.
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
      // Another user's token is not affected.
      expect((await verifier.verify(admin.token)).subject).to.equal(admin.user.id);

      await env.client.enableUser({ userId: account.user.id }, as(admin));
      await watcher.poll();
      expect((await verifier.verify(account.token)).subject).to.equal(account.user.id);
    } finally {
      await watcher.stop();
    }
  });

  it("keeps the last list while identity cannot be reached", async () => {
    const admin = await registerAdmin(env);
    const account = await register(env);
    await env.client.disableUser({ userId: account.user.id }, as(admin));
    let isDown = false;
    const flaky = {
      getRevokedSubjects: (request: object) =>
        isDown ? Promise.reject(new Error("identity is down")) : env.internal.getRevokedSubjects(request),
    };
    const watcher = watchRevokedSubjects(flaky, { intervalMs: 60_000, log });
    try {
      await watcher.poll();
      isDown = true;
      await watcher.poll();
      expect(watcher.isRevoked(account.user.id)).to.equal(true);
      expect(watcher.isRevoked(admin.user.id)).to.equal(false);
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
