import { createHash } from "node:crypto";
import { toJsonString } from "@bufbuild/protobuf";
import { type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  authorize,
  Code,
  createLogger,
  createTokenVerifier,
  refusingRevoked,
  watchIdentityRevocations,
} from "@marquee/mesh";
import { badFields, codeOf, failureOf, partnerToken, serviceToken, testKeys, waitFor } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { PartnerClientSchema } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { expect } from "chai";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { PartnerClientEntity } from "../../src/entities/partner-client.js";
import { type Account, as, register, registerAdmin, useIdentity } from "../support/testing.js";

describe("identity's partner clients: CreatePartnerClient, ListPartnerClients, RevokePartnerClient, IssueClientToken", () => {
  const env = useIdentity();
  const log = createLogger("partner-clients-test", "silent");
  let admin: Account;

  before(async () => {
    admin = await registerAdmin(env);
  });

  /** A new client with `scopes`, and its secret. */
  async function newClient(scopes: string[], displayName = "Acme Travel") {
    const { client, clientSecret } = await env.client.createPartnerClient(
      { client: { displayName, scopes, contactEmail: "API@Acme.Example" } },
      as(admin),
    );
    if (client === undefined) throw new Error("CreatePartnerClient answered without a client");
    return { client, secret: clientSecret };
  }

  describe("CreatePartnerClient", () => {
    it("returns the client and its secret once, storing only the secret's SHA-256", async () => {
      const { client, secret } = await newClient(["orders.read", "events.read", "orders.read"]);
      expect(secret).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(client.clientId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Repeats dropped, in the contract's order.
      expect(client.scopes).to.deep.equal(["events.read", "orders.read"]);
      expect(client.secretHint).to.equal(secret.slice(-4));
      expect(client.creatorUserId).to.equal(admin.user.id);
      expect(client.contactEmail).to.equal("API@acme.example");
      expect(client.revoked).to.equal(false);
      expect(client.lastUseTime).to.equal(undefined);
      expect(toJsonString(PartnerClientSchema, client)).not.to.include(secret);

      const row = await env.db().findOneOrFail(PartnerClientEntity, { clientId: client.clientId });
      expect(row.secretHash).to.equal(createHash("sha256").update(secret).digest("hex"));
      expect(JSON.stringify(row)).not.to.include(secret);
    });

    it("names each bad field: display name, no scope or an unknown one, a malformed contact address", async () => {
      const failure = await failureOf(
        env.client.createPartnerClient(
          { client: { displayName: "  ", scopes: ["events.read", "events.write"], contactEmail: "not an address" } },
          as(admin),
        ),
      );
      expect(failure.code).to.equal(Code.InvalidArgument);
      expect(badFields(failure)).to.deep.equal(["client.display_name", "client.scopes[1]", "client.contact_email"]);
      const noScopes = await failureOf(
        env.client.createPartnerClient({ client: { displayName: "Acme", scopes: [] } }, as(admin)),
      );
      expect(badFields(noScopes)).to.deep.equal(["client.scopes"]);
      expect(badFields(await failureOf(env.client.createPartnerClient({}, as(admin))))).to.deep.equal(["client"]);
    });
  });

  describe("who may manage clients", () => {
    it("refuses customers, partners and anonymous callers on every admin RPC of partner clients", async () => {
      const customer = await register(env);
      const { client } = await newClient(["events.read"]);
      const partner = await partnerToken(client.clientId, ["events.read"]);
      for (const token of [customer.token, partner]) {
        for (const call of [
          env.client.createPartnerClient({ client: { displayName: "Mine", scopes: ["events.read"] } }, as({ token })),
          env.client.listPartnerClients({}, as({ token })),
          env.client.revokePartnerClient({ clientId: client.clientId }, as({ token })),
        ]) {
          expect(await codeOf(call)).to.equal(Code.PermissionDenied);
        }
      }
      expect(await codeOf(env.client.listPartnerClients({}))).to.equal(Code.Unauthenticated);
      const { clients } = await env.client.listPartnerClients({ pageSize: 200 }, as(admin));
      expect(
        clients.map((listed) => listed.clientId),
        "still active: the refused revocations did nothing",
      ).to.include(client.clientId);
    });
  });

  describe("ListPartnerClients", () => {
    it("lists clients newest first, a page at a time, revoked ones only when asked, and never a secret", async () => {
      const made: Awaited<ReturnType<typeof newClient>>[] = [];
      for (let i = 0; i < 3; i++) made.push(await newClient(["events.read"], `Pager ${i}`));
      const ids = made.map(({ client }) => client.clientId);
      await env.client.revokePartnerClient({ clientId: ids[1] as string }, as(admin));

      const collect = async (showRevoked: boolean) => {
        const seen: string[] = [];
        let pageToken = "";
        do {
          const page = await env.client.listPartnerClients({ pageSize: 2, pageToken, showRevoked }, as(admin));
          expect(page.clients.length).to.be.at.most(2);
          for (const client of page.clients) {
            for (const { secret } of made) expect(toJsonString(PartnerClientSchema, client)).not.to.include(secret);
          }
          seen.push(...page.clients.map((client) => client.clientId));
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        return seen.filter((id) => ids.includes(id));
      };
      expect(await collect(true)).to.deep.equal([...ids].reverse());
      expect(await collect(false)).to.deep.equal([ids[2], ids[0]]);

      const first = await env.client.listPartnerClients({ pageSize: 1, showRevoked: true }, as(admin));
      const otherFilter = await failureOf(
        env.client.listPartnerClients({ pageSize: 1, pageToken: first.nextPageToken }, as(admin)),
      );
      expect(badFields(otherFilter)).to.deep.equal(["page_token"]);
      expect(badFields(await failureOf(env.client.listPartnerClients({ pageSize: -1 }, as(admin))))).to.deep.equal([
        "page_size",
      ]);
    });
  });

  describe("IssueClientToken", () => {
    it("issues an hour's ES256 partner token with the client's scopes, which the mesh's verifier reads as a partner", async () => {
      const { client, secret } = await newClient(["events.read", "orders.read"]);
      const before = Date.now();
      const { tokens } = await env.client.issueClientToken({ clientId: client.clientId, clientSecret: secret }, as({}));
      if (tokens === undefined) throw new Error("no tokens");
      expect(tokens.tokenType).to.equal("Bearer");
      expect(tokens.refreshToken).to.equal("");
      expect(tokens.refreshExpireTime).to.equal(undefined);
      expect(tokens.scope).to.equal("events.read orders.read");
      expect(msOf(tokens.expireTime) - before).to.be.within(3_598_000, 3_601_000);

      const header = decodeProtectedHeader(tokens.accessToken);
      expect(header).to.include({ alg: "ES256", typ: "at+jwt" });
      expect(header.kid).to.equal(env.deps.keys.current().kid);
      const claims = decodeJwt(tokens.accessToken);
      expect(claims).to.include({ sub: `client:${client.clientId}`, client_id: client.clientId, scope: tokens.scope });
      expect(claims).not.to.have.property("roles");
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).to.equal(3600);

      const principal = await createTokenVerifier({ jwksUrl: env.jwksPath }).verify(tokens.accessToken);
      expect(principal).to.deep.include({ kind: "partner", subject: `client:${client.clientId}`, roles: [] });
      expect(principal.scopes).to.deep.equal(["events.read", "orders.read"]);
    });

    it("lets the token through exactly the RPCs whose access option lists one of its scopes", async () => {
      const { client, secret } = await newClient(["events.read", "inventory.hold"]);
      const verifier = createTokenVerifier({ jwksUrl: env.jwksPath });
      const issue = async (scopes: string[]) => {
        const { tokens } = await env.client.issueClientToken({
          clientId: client.clientId,
          clientSecret: secret,
          scopes,
        });
        return await verifier.verify(tokens?.accessToken ?? "");
      };
      const reader = await issue(["events.read"]);
      expect(reader.scopes, "narrowed to what was asked").to.deep.equal(["events.read"]);
      expect(() => authorize(CatalogService.method.getEvent, reader)).not.to.throw();
      expect(() => authorize(CatalogService.method.listMyEvents, reader))
        .to.throw()
        .with.property("code", Code.PermissionDenied);
      expect(() => authorize(InventoryService.method.holdSeats, reader))
        .to.throw()
        .with.property("code", Code.PermissionDenied);
      expect(() => authorize(OrderingService.method.getOrder, reader))
        .to.throw()
        .with.property("code", Code.PermissionDenied);
      const holder = await issue(["inventory.hold"]);
      expect(() => authorize(InventoryService.method.holdSeats, holder)).not.to.throw();
      expect(() => authorize(IdentityService.method.listPartnerClients, holder))
        .to.throw()
        .with.property("code", Code.PermissionDenied);
    });

    it("refuses scopes the client is not granted, naming them, and names a scope Marquee does not have", async () => {
      const { client, secret } = await newClient(["events.read"]);
      const credentials = { clientId: client.clientId, clientSecret: secret };
      const wider = await failureOf(
        env.client.issueClientToken({ ...credentials, scopes: ["events.read", "orders.write"] }),
      );
      expect(wider.code).to.equal(Code.PermissionDenied);
      expect(wider.rawMessage).to.include("orders.write").and.not.to.include("events.read");
      const unknown = await failureOf(
        env.client.issueClientToken({ ...credentials, scopes: ["events.read", "admin"] }),
      );
      expect(badFields(unknown)).to.deep.equal(["scopes[1]"]);
      const empty = await failureOf(env.client.issueClientToken({ clientId: "", clientSecret: "" }));
      expect(badFields(empty)).to.deep.equal(["client_id", "client_secret"]);
    });

    it("answers an unknown client, a malformed id and a wrong secret alike: UNAUTHENTICATED", async () => {
      const { client, secret } = await newClient(["events.read"]);
      const failures = await Promise.all([
        // The last character changed to another one (a secret ending in "A" already would make "A" right).
        failureOf(
          env.client.issueClientToken({
            clientId: client.clientId,
            clientSecret: `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`,
          }),
        ),
        failureOf(
          env.client.issueClientToken({ clientId: "00000000-0000-4000-8000-000000000000", clientSecret: secret }),
        ),
        failureOf(env.client.issueClientToken({ clientId: client.clientId.toUpperCase(), clientSecret: secret })),
      ]);
      expect(failures.map((failure) => failure.code)).to.deep.equal([
        Code.Unauthenticated,
        Code.Unauthenticated,
        Code.Unauthenticated,
      ]);
      expect(new Set(failures.map((failure) => failure.rawMessage)).size, "one message for all").to.equal(1);
    });

    it("records the client's last use, at most once a minute", async () => {
      const { client, secret } = await newClient(["events.read"]);
      const credentials = { clientId: client.clientId, clientSecret: secret };
      await env.client.issueClientToken(credentials);
      const first = (await env.db().findOneOrFail(PartnerClientEntity, { clientId: client.clientId })).lastUseTime;
      expect(first).to.be.instanceOf(Date);
      await env.client.issueClientToken(credentials);
      const second = (await env.db().findOneOrFail(PartnerClientEntity, { clientId: client.clientId })).lastUseTime;
      expect(second?.getTime()).to.equal(first?.getTime());
      const { clients } = await env.client.listPartnerClients({ pageSize: 200 }, as(admin));
      const listed = clients.find((listedClient) => listedClient.clientId === client.clientId);
      expect(msOf(listed?.lastUseTime)).to.equal(first?.getTime());
    });
  });

  describe("RevokePartnerClient", () => {
    it("revokes for good: no new token, the same answer when repeated, NOT_FOUND for an unknown client", async () => {
      const { client, secret } = await newClient(["events.read"]);
      const { client: revoked } = await env.client.revokePartnerClient({ clientId: client.clientId }, as(admin));
      expect(revoked?.revoked).to.equal(true);
      expect(await codeOf(env.client.issueClientToken({ clientId: client.clientId, clientSecret: secret }))).to.equal(
        Code.Unauthenticated,
      );
      const again = await env.client.revokePartnerClient({ clientId: client.clientId }, as(admin));
      expect(again.client?.revokeTime).to.deep.equal(revoked?.revokeTime);
      expect(
        await codeOf(env.client.revokePartnerClient({ clientId: "00000000-0000-4000-8000-000000000000" }, as(admin))),
      ).to.equal(Code.NotFound);
      expect(badFields(await failureOf(env.client.revokePartnerClient({ clientId: "acme" }, as(admin))))).to.deep.equal(
        ["client_id"],
      );
    });

    it("lists the revoked client as client:<id> until its last token has expired, so verifiers refuse its tokens within seconds", async () => {
      const { client, secret } = await newClient(["events.read"]);
      const { tokens } = await env.client.issueClientToken({ clientId: client.clientId, clientSecret: secret });
      const token = tokens?.accessToken ?? "";
      const other = await newClient(["events.read"]);
      const otherToken =
        (await env.client.issueClientToken({ clientId: other.client.clientId, clientSecret: other.secret })).tokens
          ?.accessToken ?? "";
      // What `serve` and the BFF run with IDENTITY_ADDR set.
      const watcher = await watchIdentityRevocations({
        identityAddress: env.service.address,
        serviceToken: () => serviceToken("bff"),
        intervalMs: 100,
        log,
      });
      try {
        const verifier = refusingRevoked(createTokenVerifier({ jwksUrl: (await testKeys()).jwksPath }), watcher);
        expect((await verifier.verify(token)).subject).to.equal(`client:${client.clientId}`);
        await env.client.revokePartnerClient({ clientId: client.clientId }, as(admin));
        const revokedAt = Date.now();
        const refusal = await waitFor("the revoked client's token refused", () =>
          verifier.verify(token).then(
            () => undefined,
            (error: unknown) => failureOf(Promise.reject(error)),
          ),
        );
        expect(refusal.code).to.equal(Code.Unauthenticated);
        expect(refusal.rawMessage).to.include("revoked");
        expect(Date.now() - revokedAt, "refused within a poll or two").to.be.below(2000);
        expect((await verifier.verify(otherToken)).subject, "another client is not affected").to.equal(
          `client:${other.client.clientId}`,
        );
      } finally {
        await watcher.stop();
      }
      const { subjects } = await env.internal.getRevokedSubjects({});
      const entry = subjects.find((listed) => listed.subject === `client:${client.clientId}`);
      if (entry?.revokeTime === undefined || entry.expireTime === undefined) throw new Error("not listed with times");
      expect(timestampMs(entry.expireTime) - timestampMs(entry.revokeTime)).to.equal(
        env.deps.lifetimes.partnerRevocationMs,
      );
      const times = subjects.map((listed) => msOf(listed.revokeTime));
      expect(times, "oldest revocation first, users and clients together").to.deep.equal(
        [...times].sort((a, b) => a - b),
      );
    });
  });
});

describe("signing-key retention with partner tokens", () => {
  const hourS = 3600;
  const env = useIdentity({
    settings: {
      SIGNING_KEY_ROTATE_AFTER_S: String(hourS),
      SIGNING_KEY_PUBLISH_AHEAD_S: "600",
      ACCESS_TOKEN_TTL_S: "900",
      SIGNING_KEY_RETAIN_SLACK_S: "300",
    },
  });

  it("keeps a retired key published until the hour-long partner tokens it signed have expired, not only users' 15 minutes", async () => {
    const admin = await registerAdmin(env);
    const { client, clientSecret } = await env.client.createPartnerClient(
      { client: { displayName: "Acme Travel", scopes: ["events.read"] } },
      as(admin),
    );
    const { tokens } = await env.client.issueClientToken({ clientId: client?.clientId ?? "", clientSecret });
    const token = tokens?.accessToken ?? "";
    const oldKid = decodeProtectedHeader(token).kid;
    const start = Date.now();
    const at = (seconds: number) => new Date(start + seconds * 1000);
    await env.deps.keys.rotate(at(hourS + 1));
    await env.deps.keys.rotate(at(hourS + 601));
    expect(env.deps.keys.current().kid, "the next key signs").not.to.equal(oldKid);
    const published = () => env.deps.keys.verificationKeys().map((key) => key.kid);
    // Past a user token's 15 minutes plus 5 of slack, the partner token still has most of its hour.
    await env.deps.keys.rotate(at(hourS + 601 + 1201));
    expect(published()).to.include(oldKid);
    await env.deps.keys.rotate(at(hourS + 601 + 3899));
    expect(published()).to.include(oldKid);
    await env.deps.keys.rotate(at(hourS + 601 + 3901));
    expect(published()).not.to.include(oldKid);
  });
});

/** A timestamp the answer must carry, in epoch milliseconds. */
function msOf(time: Timestamp | undefined): number {
  if (time === undefined) throw new Error("a timestamp is missing");
  return timestampMs(time);
}
