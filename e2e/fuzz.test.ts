import { rmSync } from "node:fs";
import { join } from "node:path";
import { create, type DescMessage, type MessageInitShape, toBinary, toJson } from "@bufbuild/protobuf";
import {
  ExtendHoldRequestSchema,
  GetAvailabilityRequestSchema,
  GetHoldRequestSchema,
} from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { fixedPorts } from "@marquee/scripts/ports";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import { postJson } from "./support/connect-json.js";
import {
  type Answer,
  BffClient,
  contentTypeOf,
  envelope,
  envelopeFlags,
  freshFuzzUserIds,
  judge,
  mintFuzzTokens,
  outcomeName,
  type Protocol,
  protocolHeadersOf,
  runFuzz,
  seedOf,
  summaryText,
  type WireRequest,
} from "./support/fuzz/index.js";

const inventoryPath = "/marquee.inventory.v1.InventoryService";
/** Requests of the short run: 300 per protocol, which 2 slow cores answer in about 10 s. */
const requests = Number(process.env.FUZZ_REQUESTS ?? 1_200);

/** A request for `rpc` of inventory over `protocol`, its message encoded as a correct client would. */
function inventoryRequest<D extends DescMessage>(
  protocol: Protocol,
  rpc: string,
  schema: D,
  init: MessageInitShape<D>,
  token?: string,
): WireRequest {
  const message = create(schema, init);
  const bytes =
    protocol === "connect-json"
      ? new TextEncoder().encode(JSON.stringify(toJson(schema, message)))
      : toBinary(schema, message);
  return {
    protocol,
    path: `${inventoryPath}/${rpc}`,
    isStreaming: false,
    headers: {
      "content-type": contentTypeOf(protocol, false),
      ...protocolHeadersOf(protocol),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: protocol === "grpc" || protocol === "grpc-web" ? envelope(0, bytes) : bytes,
  };
}

describe("the fuzz suite: generated and mutated requests through the BFF of the real stack (issue #27)", function () {
  this.timeout(300_000);
  const dataDir = join(repoRoot, ".data", "test", `fuzz-${process.pid}`);
  // Apart from e2e/bff.test.ts (14_000 + …) and e2e/inventory-race.test.ts (14_050 + …).
  const portOffset = 14_060 + (process.pid % 15) * 100;
  let stack: Stack;
  const userIds = freshFuzzUserIds();

  before(async () => {
    // Rate limits stay on for one caller, the other organizer, at a call a second: its refusals are
    // answers like any other, judged over all four protocols, and must be no finding. Everyone else is
    // exempt — the seeds' organizer and customer, the admin, and anonymous callers by their address — so
    // the run goes as deep as it would without limits.
    const exempt = ["127.0.0.1", "::1", userIds.customer, userIds.organizer, userIds.admin];
    stack = await startStack({
      dataDir,
      portOffset,
      logLevel: "warn",
      bffEnvironment: { RATE_LIMITS: "on", RATE_LIMIT_EXEMPT: exempt.join(","), RATE_LIMIT_PER_USER: "1/s:2" },
    });
  });

  after(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers every public RPC over all four protocols without a finding: no INTERNAL, 5xx, missing status, hang, exit, leak, oversized error, state change behind an error or memory growth", async () => {
    const seed = seedOf();
    const report = await runFuzz({
      stack,
      requests,
      seed,
      concurrency: 4,
      userIds,
      say: (line) => process.stdout.write(`      [fuzz] ${line}\n`),
    });
    const summary = summaryText(report);
    expect(report.requests).to.equal(requests);
    expect(report.findingCount, `the fuzz run (seed ${seed}) found:\n\n${summary}\n`).to.equal(0);
    const metrics = await (await fetch(`http://127.0.0.1:${fixedPorts.bffMetrics + portOffset}/metrics`)).text();
    const refused = [...metrics.matchAll(/^marquee_bff_rate_limited_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, [, count]) => sum + Number(count),
      0,
    );
    process.stdout.write(`      [fuzz] the rate limits refused ${refused} calls of the other organizer\n`);
    expect(refused, "calls of the rate-limited caller the BFF refused").to.be.greaterThan(0);
  });

  it("keeps another caller's GetAvailability calls OK while one caller bursts oversized and malformed requests at inventory", async () => {
    const events = await postJson(stack.bffUrl ?? "", "marquee.catalog.v1.CatalogService/ListEvents", { pageSize: 1 });
    const eventId = String((events.json?.events as { id: string }[] | undefined)?.[0]?.id ?? "");
    expect(eventId, "a published demo event").not.to.equal("");
    const client = new BffClient(stack.bffUrl ?? "");
    // The run's customer, exempt from the rate limits: the burst is about bad input, not about them.
    const customer = (await mintFuzzTokens(stack.dataDir, userIds)).tokens.customer;
    const holdId = "h".repeat(1_000_000);
    const burst: WireRequest[] = [];
    for (const protocol of ["grpc", "connect-json", "connect-proto", "grpc-web"] as const) {
      for (const [rpc, schema] of [
        ["ExtendHold", ExtendHoldRequestSchema],
        ["GetHold", GetHoldRequestSchema],
      ] as const) {
        const valid = inventoryRequest(protocol, rpc, schema, { holdId }, customer);
        burst.push(valid, inventoryRequest(protocol, rpc, schema, { holdId: "é".repeat(600_000) }, customer));
        if (protocol === "connect-json") {
          burst.push({ ...valid, body: new TextEncoder().encode(`{"holdId":"${"h".repeat(900_000)}`) });
          continue;
        }
        const message = toBinary(schema, create(schema, { holdId }));
        const framing = (body: Uint8Array) => (protocol === "connect-proto" ? body : envelope(0, body));
        burst.push(
          { ...valid, body: framing(message.subarray(0, message.length - 1000)) },
          { ...valid, body: framing(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])) },
        );
        if (protocol !== "connect-proto") {
          burst.push(
            { ...valid, body: envelope(0, message, message.length + 4096) },
            { ...valid, body: envelope(envelopeFlags.compressed, message) },
            { ...valid, headers: { ...valid.headers, "grpc-encoding": "gzip" }, body: envelope(1, message) },
          );
        }
      }
    }

    let isBursting = true;
    const watched: Answer[] = [];
    const watcher = async (protocol: Protocol) => {
      const lane = client.lane();
      const request = inventoryRequest(protocol, "GetAvailability", GetAvailabilityRequestSchema, { eventId });
      while (isBursting || watched.length < 40) {
        watched.push(await lane.send(request));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const burstAnswers: { request: WireRequest; answer: Answer }[] = [];
    const burster = async () => {
      const lane = client.lane();
      for (;;) {
        const request = burst.shift();
        if (request === undefined) return;
        burstAnswers.push({ request, answer: await lane.send(request) });
      }
    };
    const watching = Promise.all([watcher("grpc"), watcher("connect-json")]);
    try {
      await Promise.all(Array.from({ length: 6 }, burster));
      isBursting = false;
      await watching;
    } finally {
      isBursting = false;
      client.close();
    }

    const failed = watched.filter((answer) => answer.code !== 0);
    expect(
      failed.map((answer) => `${answer.protocol}: ${outcomeName(answer)} ${answer.message} ${answer.detail}`),
      `${failed.length} of ${watched.length} GetAvailability calls failed during the burst`,
    ).to.deep.equal([]);
    const findings = burstAnswers.flatMap(({ request, answer }) =>
      judge({ rpc: request.path, request, answer, requestText: "" }).map(
        (finding) => `${request.protocol} ${request.path}: ${finding.summary}`,
      ),
    );
    expect(findings, "the burst's own answers").to.deep.equal([]);
    const refusals = ["INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", "UNIMPLEMENTED"];
    const unexpected = burstAnswers
      .filter(({ answer }) => !refusals.includes(outcomeName(answer)))
      .map(({ request, answer }) => `${request.protocol} ${request.path}: ${outcomeName(answer)} ${answer.message}`);
    expect(unexpected, "every request of the burst is refused as the bad input it is").to.deep.equal([]);
  });
});
