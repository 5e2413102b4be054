import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  IdentityInternalService,
  type RevokedSubject,
} from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import { expect } from "chai";
import { pino } from "pino";
import { refusingRevoked, watchIdentityRevocations, watchRevokedSubjects } from "../../src/auth/revoked-subjects.js";
import { createTokenVerifier } from "../../src/auth/verify-token.js";
import { Code, createLogger, implement } from "../../src/index.js";
import {
  codeOf,
  customerToken,
  failureOf,
  freePort,
  serviceToken,
  startService,
  startTestServer,
  type TestServer,
  testClient,
  testId,
  testKeys,
  waitFor,
} from "../../src/testing/index.js";
import { TallyService } from "../gen/marquee/meshtest/v1/tally_pb.js";
import { tally } from "../support/tally-service.js";

type Entry = Pick<RevokedSubject, "subject" | "expireTime">;

const quiet = createLogger("revoked-subjects-test", "silent");

/** A logger whose lines the test reads. */
function capturingLogger(): { log: typeof quiet; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** An entry revoking `subject` until `untilMs`. */
function revoked(subject: string, untilMs = Date.now() + 60_000): Entry {
  return { subject, expireTime: timestampFromMs(untilMs) };
}

/**
 * A stand-in for identity's IdentityInternalService over real gRPC, with the access its proto declares
 * (service tokens only): its list is whatever the test sets.
 */
async function standInIdentity(): Promise<{ server: TestServer; list: Entry[]; calls: () => number }> {
  const list: Entry[] = [];
  let calls = 0;
  const server = await startTestServer([
    implement(IdentityInternalService, {
      async getRevokedSubjects() {
        calls++;
        return { subjects: list.map((entry) => ({ ...entry })) };
      },
    }),
  ]);
  return { server, list, calls: () => calls };
}

describe("watchRevokedSubjects and refusingRevoked", () => {
  const disabled = testId("disabled-user");
  const other = testId("other-user");

  it("refuses the tokens of listed users with UNAUTHENTICATED and accepts everyone else's", async () => {
    const watcher = watchRevokedSubjects(async () => [revoked(disabled)], { intervalMs: 60_000, log: quiet });
    try {
      await watcher.firstPoll;
      const verifier = refusingRevoked(createTokenVerifier({ jwksUrl: (await testKeys()).jwksPath }), watcher);
      const refusal = await failureOf(verifier.verify(await customerToken(disabled)));
      expect(refusal.code).to.equal(Code.Unauthenticated);
      expect(refusal.message).to.include("disabled");
      expect((await verifier.verify(await customerToken(other))).subject).to.equal(other);
    } finally {
      await watcher.stop();
    }
  });

  it("never refuses a service token, even when its subject is listed", async () => {
    const watcher = watchRevokedSubjects(async () => [revoked("svc:ordering")], { intervalMs: 60_000, log: quiet });
    try {
      await watcher.firstPoll;
      const verifier = refusingRevoked(createTokenVerifier({ jwksUrl: (await testKeys()).jwksPath }), watcher);
      expect((await verifier.verify(await serviceToken("ordering"))).kind).to.equal("service");
    } finally {
      await watcher.stop();
    }
  });

  it("keeps the last list while the source fails, warning once, and says when polling recovers", async () => {
    let isDown = false;
    let list = [revoked(disabled)];
    const { log, lines } = capturingLogger();
    const watcher = watchRevokedSubjects(
      async () => {
        if (isDown) throw new Error("identity is down");
        return list;
      },
      { intervalMs: 60_000, log },
    );
    try {
      await watcher.firstPoll;
      isDown = true;
      list = [];
      await watcher.poll();
      await watcher.poll();
      expect(watcher.isRevoked(disabled), "still refused while identity is away").to.equal(true);
      expect(watcher.isRevoked(other)).to.equal(false);
      expect(
        lines.filter((line) => line.level === 40),
        "one warning for the outage, not one per poll",
      ).to.have.length(1);
      isDown = false;
      await watcher.poll();
      expect(watcher.isRevoked(disabled), "the new list drops the user").to.equal(false);
      expect(lines.at(-1)?.msg).to.equal("revoked subjects polled again");
    } finally {
      await watcher.stop();
    }
  });

  it("forgets an entry at its expire_time even when no poll succeeds after it", async () => {
    let nowMs = Date.now();
    let isDown = false;
    const watcher = watchRevokedSubjects(
      async () => {
        if (isDown) throw new Error("identity is down");
        return [revoked(disabled, nowMs + 1000)];
      },
      { intervalMs: 60_000, log: quiet, now: () => nowMs },
    );
    try {
      await watcher.firstPoll;
      isDown = true;
      expect(watcher.isRevoked(disabled)).to.equal(true);
      nowMs += 1000;
      // Every token issued before the revocation has expired by now: nothing is left to refuse.
      expect(watcher.isRevoked(disabled)).to.equal(false);
    } finally {
      await watcher.stop();
    }
  });

  it("polls again every interval, and not after stop", async () => {
    let polls = 0;
    const watcher = watchRevokedSubjects(
      async () => {
        polls++;
        return [];
      },
      { intervalMs: 20, log: quiet },
    );
    await waitFor("three polls", () => polls >= 3, { timeoutMs: 2000 });
    await watcher.stop();
    const stoppedAt = polls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls).to.equal(stoppedAt);
  });
});

describe("watchIdentityRevocations", () => {
  it("reads identity's list over gRPC with the service token, before it resolves", async () => {
    const identity = await standInIdentity();
    identity.list.push(revoked(testId("disabled-user")));
    const watcher = await watchIdentityRevocations({
      identityAddress: identity.server.address,
      serviceToken: () => serviceToken("bff"),
      intervalMs: 60_000,
      log: quiet,
    });
    try {
      expect(watcher.isRevoked(testId("disabled-user"))).to.equal(true);
    } finally {
      await watcher.stop();
      await identity.server.close();
    }
  });

  it("fails open when identity cannot be reached: it resolves within the poll deadline and refuses no one", async () => {
    const started = Date.now();
    const watcher = await watchIdentityRevocations({
      identityAddress: `127.0.0.1:${await freePort()}`,
      serviceToken: () => serviceToken("bff"),
      intervalMs: 1000,
      log: quiet,
    });
    try {
      expect(Date.now() - started).to.be.below(3000);
      expect(watcher.isRevoked(testId("anyone"))).to.equal(false);
    } finally {
      await watcher.stop();
    }
  });
});

describe("a service started from its manifest with IDENTITY_ADDR", () => {
  it("refuses a revoked user's token within a poll, keeps serving others and service tokens, and takes it back once dropped", async () => {
    const identity = await standInIdentity();
    const disabled = testId("tally-disabled");
    const service = await startService(tally, {
      settings: { IDENTITY_ADDR: identity.server.address, REVOCATION_POLL_INTERVAL_MS: "100" },
    });
    const client = await service.client(TallyService);
    const asService = await testClient(TallyService, service.address, { serviceName: "ordering" });
    try {
      const token = await customerToken(disabled);
      expect((await client.add({ name: "kept", amount: 1 }, { token })).total).to.equal(1n);

      identity.list.push(revoked(disabled));
      const listedAt = Date.now();
      // Probed with the read-only GetTotal (PUBLIC: a token that is presented is checked all the same);
      // codeOf throws while the call still succeeds, which waitFor counts as "not yet".
      await waitFor(
        "the revoked user's token refused",
        async () => (await codeOf(client.getTotal({ name: "kept" }, { token }))) === Code.Unauthenticated,
        { timeoutMs: 3000, intervalMs: 10 },
      );
      expect(Date.now() - listedAt, "within a poll or two").to.be.below(1000);
      expect(await codeOf(client.add({ name: "kept", amount: 1 }, { token }))).to.equal(Code.Unauthenticated);
      const otherUser = await customerToken(testId("tally-other"));
      expect((await client.add({ name: "kept", amount: 1 }, { token: otherUser })).total).to.equal(2n);
      expect((await asService.getTotal({ name: "kept" })).total).to.equal(2n);

      identity.list.length = 0;
      await waitFor(
        "the user's token accepted again",
        () =>
          client.getTotal({ name: "kept" }, { token }).then(
            () => true,
            () => false,
          ),
        { timeoutMs: 3000, intervalMs: 10 },
      );
      expect((await client.add({ name: "kept", amount: 1 }, { token })).total).to.equal(3n);
      expect(identity.calls(), "polled with the service's token").to.be.greaterThan(2);
    } finally {
      asService.close();
      await service.close();
      await identity.server.close();
    }
  });

  it("refuses to start with IDENTITY_ADDR but no signing key, naming both variables", async () => {
    const identity = await standInIdentity();
    try {
      const error = await failureOf(
        startService(tally, {
          settings: { IDENTITY_ADDR: identity.server.address, AUTH_SIGNING_KEY_FILE: "" },
        }),
      );
      expect(error.message).to.include("IDENTITY_ADDR").and.include("AUTH_SIGNING_KEY_FILE");
    } finally {
      await identity.server.close();
    }
  });
});
