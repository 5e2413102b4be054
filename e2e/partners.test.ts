import { rmSync } from "node:fs";
import { join } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Code } from "@marquee/mesh";
import { waitFor } from "@marquee/mesh/testing";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { bearer } from "./support/fixtures.js";
import { type GrpcurlRun, grpcurl } from "./support/grpcurl.js";

/**
 * Issue #22, item 5, as a partner lives it on the stack `npm start` runs: an admin creates an OAuth2
 * client, the partner exchanges its credentials for a token at the BFF's `POST /oauth2/token` (the
 * client-credentials grant, as curl sends it), calls the public RPCs its scopes allow with the real
 * `grpcurl -H 'authorization: Bearer …'` and is refused the others, and once the admin revokes the
 * client its tokens stop working within seconds.
 */
describe("partners on the launcher's stack: client credentials at /oauth2/token, then grpcurl (issue #22)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-partners-${process.pid}`);
  // Offsets 13_041 + (pid % 15) × 100 give no port that another stack of the suites uses — the launcher
  // test's (11_000 + …), bff.test.ts's (…00), authorization's (…18), canonical-ids' (…25), the race's
  // (…50), the fuzz's (…60), checkout's and the stadium's (…75), the benchmarks' (15_455, 15_460,
  // 15_470) — counting every port of the table (services, metrics, BFF, PostgreSQL, Redis, gateway, mail
  // sink), none of which an offset ending in 41 between 13_041 and 14_441 reaches; the highest,
  // 50056 + 14_441, is below 65536.
  const portOffset = 13_041 + (process.pid % 15) * 100;

  let stack: Stack;
  let bffUrl: string;
  let bffAddress: string;
  /** IdentityService through the BFF over Connect JSON, as the admin pages call it. */
  let identity: Client<typeof IdentityService>;
  let clientId: string;
  let clientSecret: string;

  /** The token request as `curl -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials …` sends it. */
  async function requestToken(form: Record<string, string>, basic?: { id: string; secret: string }) {
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (basic !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString("base64")}`;
    }
    const response = await fetch(`${bffUrl}/oauth2/token`, {
      method: "POST",
      headers,
      body: new URLSearchParams(form).toString(),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  /** `grpcurl -plaintext -H 'authorization: Bearer <token>' -d <request> <bff> <method>`. */
  function callAs(token: string, method: string, request: object = {}): Promise<GrpcurlRun> {
    return grpcurl([
      "-plaintext",
      "-H",
      `authorization: Bearer ${token}`,
      "-d",
      JSON.stringify(request),
      bffAddress,
      method,
    ]);
  }

  before(async () => {
    stack = await startStack({ dataDir, portOffset, logLevel: "warn" });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    bffUrl = stack.bffUrl;
    bffAddress = new URL(bffUrl).host;
    identity = createClient(IdentityService, createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" }));
    const created = await identity.createPartnerClient(
      {
        client: {
          displayName: "Acme Travel",
          scopes: ["events.read", "orders.read"],
          contactEmail: "api@acme.example",
        },
      },
      bearer(stack.tokens.admin),
    );
    clientId = created.client?.clientId ?? "";
    clientSecret = created.clientSecret;
  });

  after(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lets an admin create a partner client through the BFF, its secret shown once and never listed", async () => {
    expect(clientSecret).to.match(/^[A-Za-z0-9_-]{43}$/);
    const { clients } = await identity.listPartnerClients({ pageSize: 200 }, bearer(stack.tokens.admin));
    const listed = clients.find((client) => client.clientId === clientId);
    expect(listed?.scopes).to.deep.equal(["events.read", "orders.read"]);
    expect(listed?.secretHint).to.equal(clientSecret.slice(-4));
    expect(JSON.stringify(clients.map((client) => client.secretHint))).not.to.include(clientSecret);
    expect(
      (await requestToken({ grant_type: "client_credentials" }, { id: clientId, secret: "wrong" })).status,
      "a wrong secret",
    ).to.equal(401);
  });

  it("issues a token for exactly the scope asked, which grpcurl uses on the RPCs that scope allows and no other", async () => {
    const answer = await requestToken(
      { grant_type: "client_credentials", scope: "events.read" },
      { id: clientId, secret: clientSecret },
    );
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(answer.body).to.deep.include({ token_type: "Bearer", scope: "events.read" });
    expect(answer.body.expires_in).to.be.within(3590, 3600);
    expect(answer.headers.get("cache-control")).to.equal("no-store");
    const token = answer.body.access_token as string;

    const events = await callAs(token, "marquee.catalog.v1.CatalogService/ListEvents", { page_size: 5 });
    expect(events.exitCode, events.stderr).to.equal(0);
    const listed = JSON.parse(events.stdout) as { events?: { id: string }[] };
    expect(listed.events?.length, "the demo data's published events").to.be.greaterThan(0);

    // orders.read is granted to the client but not carried by this token; inventory.hold is neither.
    for (const method of [
      "marquee.ordering.v1.OrderingService/ListMyOrders",
      "marquee.inventory.v1.InventoryService/HoldSeats",
    ]) {
      const refused = await callAs(token, method);
      expect(refused.exitCode, `${method}: ${refused.stderr}`).to.equal(64 + Code.PermissionDenied);
      expect(refused.stderr).to.include("PermissionDenied");
    }
  });

  it("issues an orders.read token to client_id and client_secret in the form, which reaches the partner's own orders", async () => {
    const answer = await requestToken({
      grant_type: "client_credentials",
      scope: "orders.read",
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const orders = await callAs(answer.body.access_token as string, "marquee.ordering.v1.OrderingService/ListMyOrders");
    expect(orders.exitCode, orders.stderr).to.equal(0);
    expect(JSON.parse(orders.stdout)).to.deep.equal({});
  });

  it("refuses a scope the client is not granted with invalid_scope", async () => {
    const answer = await requestToken(
      { grant_type: "client_credentials", scope: "inventory.hold" },
      { id: clientId, secret: clientSecret },
    );
    expect(answer.status).to.equal(400);
    expect(answer.body.error).to.equal("invalid_scope");
  });

  it("shuts a revoked client out within seconds: its tokens already issued are refused, and it gets no new one", async () => {
    const { access_token: token } = (
      await requestToken({ grant_type: "client_credentials" }, { id: clientId, secret: clientSecret })
    ).body;
    const listEvents = () => callAs(token as string, "marquee.catalog.v1.CatalogService/ListEvents", { page_size: 1 });
    const before = await listEvents();
    expect(before.exitCode, before.stderr).to.equal(0);

    const { client } = await identity.revokePartnerClient({ clientId }, bearer(stack.tokens.admin));
    expect(client?.revoked).to.equal(true);
    const revokedAt = Date.now();
    const refused = await waitFor(
      "the revoked client's token refused",
      async () => {
        const run = await listEvents();
        return run.exitCode === 0 ? undefined : run;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(Date.now() - revokedAt, "within seconds, not at the token's expiry").to.be.below(6000);
    expect(refused.exitCode, refused.stderr).to.equal(64 + Code.Unauthenticated);
    expect(refused.stderr).to.include("Unauthenticated");

    const again = await requestToken({ grant_type: "client_credentials" }, { id: clientId, secret: clientSecret });
    expect(again.status).to.equal(401);
    expect(again.body.error).to.equal("invalid_client");
    expect(again.headers.get("www-authenticate")).to.match(/^Basic /);
  });
});
