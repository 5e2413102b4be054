import { create } from "@bufbuild/protobuf";
import { TimestampSchema, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { BadRequestSchema, ResourceInfoSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { CreateVenueRequestSchema, ListEventsRequestSchema } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { expect } from "chai";
import {
  badRequest,
  boundViolations,
  type CallContext,
  chain,
  checkingHeaders,
  createClient,
  fromGrpcError,
  type MeshClient,
  notFound,
  toGrpcStatus,
} from "../src/index.js";
import { badFields, failureOf } from "../src/testing/errors.js";
import { startTestServer, type TestServer } from "../src/testing/index.js";
import { MeshTestService } from "./gen/marquee/meshtest/v1/mesh_test_pb.js";
import { type Counters, meshTestService } from "./support/mesh-test-service.js";

/** Sends `bytes` as the request message of `method`, whatever they are, and resolves with the status. */
function sendRaw(address: string, path: string, bytes: Buffer): Promise<ServiceError> {
  const raw = new Client(address, credentials.createInsecure());
  return new Promise<ServiceError>((resolve, reject) => {
    raw.makeUnaryRequest(
      path,
      (message: Buffer) => message,
      (answer: Buffer) => answer,
      bytes,
      new Metadata(),
      { deadline: Date.now() + 5000 },
      (error) => {
        raw.close();
        if (error) resolve(error);
        else reject(new Error("the undecodable request was answered OK"));
      },
    );
  });
}

describe("hostile input to a mesh server (issue #27)", () => {
  let counters: Counters;
  let server: TestServer;
  let client: MeshClient<typeof MeshTestService>;

  before(async () => {
    counters = { charge: 0, validated: 0, echo: 0 };
    server = await startTestServer([meshTestService(counters)]);
    client = createClient(MeshTestService, { address: server.address });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it("answers INVALID_ARGUMENT, never INTERNAL, to request bytes that do not decode, and runs no handler", async () => {
    const undecodable = {
      "a length past the end": Buffer.from([0x0a, 0x05, 0x61]),
      "an invalid varint": Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      "invalid UTF-8 in a string": Buffer.from([0x0a, 0x02, 0xc3, 0x28]),
      "an illegal wire type": Buffer.from([0x0f]),
      "field number 0": Buffer.from([0x00, 0x01]),
      "a group never closed": Buffer.from([0x23, 0x08, 0x01]),
    };
    const echoes = counters.echo;
    for (const [what, bytes] of Object.entries(undecodable)) {
      const status = await sendRaw(server.address, "/marquee.meshtest.v1.MeshTestService/Echo", bytes);
      expect(status.code, `${what}: ${status.details}`).to.equal(Code.InvalidArgument);
      expect(status.details, what).to.match(/^the request is not a valid marquee\.meshtest\.v1\.EchoRequest: /);
    }
    expect(counters.echo).to.equal(echoes);
  });

  it("refuses an empty idempotency-key or one over 128 characters with INVALID_ARGUMENT naming it, and runs no handler", async () => {
    const echoes = counters.echo;
    for (const key of ["", "k".repeat(129)]) {
      const failure = await failureOf(client.echo({ message: "keyed" }, { idempotencyKey: key }));
      expect(failure.code, `${key.length} characters`).to.equal(Code.InvalidArgument);
      expect(badFields(failure)).to.deep.equal(["idempotency-key"]);
    }
    expect(counters.echo).to.equal(echoes);
    const longest = "k".repeat(128);
    expect((await client.echo({ message: "keyed" }, { idempotencyKey: longest })).idempotencyKey).to.equal(longest);
  });

  it("refuses a megabyte string with a short INVALID_ARGUMENT that does not repeat it, before any rule runs", async () => {
    const failure = await failureOf(client.validated({ name: "x".repeat(1_000_000), count: 1 }));
    expect(failure.code).to.equal(Code.InvalidArgument);
    expect(failure.rawMessage).to.equal("invalid request: name: must be at most 1000 characters (has 1000000)");
    expect(counters.validated).to.equal(0);
  });

  it("refuses a NUL character in a string, which PostgreSQL's text cannot hold", async () => {
    const failure = await failureOf(client.validated({ name: "ab\u0000c", count: 1 }));
    expect(failure.code).to.equal(Code.InvalidArgument);
    const violations = failure.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
    expect(violations.map(({ field, description }) => ({ field, description }))).to.deep.equal([
      { field: "name", description: "must not contain the NUL character" },
    ]);
  });

  it("lists at most 50 violations and counts the rest, so 999 bad items answer a small error", async () => {
    const tags = Array.from({ length: 1000 }, () => "same");
    const failure = await failureOf(client.validated({ name: "ok", count: 1, tags }));
    const violations = failure.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
    expect(violations).to.have.length(51);
    expect(violations[50]?.description).to.equal("and 949 more violations");
    expect(failure.rawMessage).to.have.length.below(400);
    expect(failure.rawMessage).to.match(/; and 994 more$/);
  });
});

describe("the header check (checkingHeaders)", () => {
  /** Runs the check on a call carrying `idempotencyKey`, resolving "passed" when it lets the call on. */
  const check = (idempotencyKey: string) =>
    chain(
      [checkingHeaders()],
      async () => "passed",
    )({
      method: MeshTestService.method.echo,
      request: {},
      header: { get: () => undefined, keys: () => [] },
      context: { idempotencyKey } as CallContext,
    });

  it("refuses an idempotency-key grpc-js Metadata could not send on: not printable ASCII, empty or over 128 characters", async () => {
    const notPrintable = ["\u00e9\u00ff", "a\tb", "\u0001"];
    for (const key of notPrintable) expect(() => new Metadata().set("idempotency-key", key)).to.throw();
    for (const key of [...notPrintable, "", "k".repeat(129)]) {
      const failure = await failureOf(check(key));
      expect(failure.code, JSON.stringify(key)).to.equal(Code.InvalidArgument);
      expect(badFields(failure), JSON.stringify(key)).to.deep.equal(["idempotency-key"]);
    }
    expect(await check("' OR 1=1")).to.equal("passed");
    expect(await check("~".repeat(128))).to.equal("passed");
  });
});

describe("request bounds (boundViolations)", () => {
  const outOfRange = {
    field: "start_time_from",
    description: "must be a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z",
  };

  it("refuses a time outside 0001–9999 and nanos out of range, which PostgreSQL and Date cannot hold", () => {
    for (const seconds of [253_402_300_800n, -62_135_596_801n, 9_000_000_000_000_000n]) {
      const request = create(ListEventsRequestSchema, { startTimeFrom: { seconds, nanos: 0 } });
      expect(boundViolations(ListEventsRequestSchema, request), String(seconds)).to.deep.equal([outOfRange]);
    }
    const badNanos = create(ListEventsRequestSchema, { startTimeTo: { seconds: 1n, nanos: 1_000_000_000 } });
    expect(boundViolations(ListEventsRequestSchema, badNanos)).to.have.length(1);
  });

  it("ends at 9999-12-31T23:59:59.999Z, since timestampDate rounds a later nano of that second into year 10000", () => {
    const lastSecond = 253_402_300_799n;
    for (const nanos of [999_000_001, 999_500_000, 999_999_999]) {
      const request = create(ListEventsRequestSchema, { startTimeFrom: { seconds: lastSecond, nanos } });
      expect(boundViolations(ListEventsRequestSchema, request), String(nanos)).to.deep.equal([outOfRange]);
    }
    const last = { seconds: lastSecond, nanos: 999_000_000 };
    expect(timestampDate(create(TimestampSchema, last)).toISOString()).to.equal("9999-12-31T23:59:59.999Z");
    const fine = create(ListEventsRequestSchema, { startTimeFrom: last });
    expect(boundViolations(ListEventsRequestSchema, fine)).to.deep.equal([]);
  });

  it("names nested fields by path, checks enum values, and lets an RPC raise a bound by path", () => {
    const request = create(CreateVenueRequestSchema, {
      venue: {
        name: "n".repeat(1001),
        sections: [{ id: "a", layout: { case: "seated", value: { rows: [{ label: "A\u0000" }] } } }],
      },
    });
    expect(boundViolations(CreateVenueRequestSchema, request)).to.deep.equal([
      { field: "venue.name", description: "must be at most 1000 characters (has 1001)" },
      { field: "venue.sections[0].seated.rows[0].label", description: "must not contain the NUL character" },
    ]);
    expect(boundViolations(CreateVenueRequestSchema, request, { "venue.name": 2000 })).to.have.length(1);
    const listed = create(ListEventsRequestSchema, { category: 999 as never });
    expect(boundViolations(ListEventsRequestSchema, listed)).to.deep.equal([
      { field: "category", description: "999 is not a value of its enum" },
    ]);
  });
});

describe("errors on the wire", () => {
  it("quotes at most 100 characters of a client's id in NOT_FOUND", () => {
    const error = notFound("hold", "h".repeat(1_000_000));
    expect(error.rawMessage.length).to.be.below(200);
    expect(error.findDetails(ResourceInfoSchema)[0]?.resourceName.length).to.be.below(200);
  });

  it("lists violations up to about 4,000 characters and counts the rest", () => {
    const long = badRequest(Array.from({ length: 40 }, (_, i) => ({ field: `f${i}`, description: "d".repeat(290) })));
    const violations = long.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
    expect(violations).to.have.length(14);
    expect(violations[13]?.description).to.equal("and 27 more violations");
  });

  it("keeps any status under the transport's header limits: the message clipped, details cut to fit", () => {
    const huge = badRequest(Array.from({ length: 12 }, (_, i) => ({ field: `f${i}`, description: "d".repeat(290) })));
    huge.details.push(...huge.details, ...huge.details);
    const status = toGrpcStatus(new ConnectError("m".repeat(100_000), huge.code, undefined, huge.details as never));
    expect(status.details?.length).to.be.below(1_100);
    const sent = status.metadata?.get("grpc-status-details-bin")[0] as Buffer | undefined;
    expect(sent?.length ?? 0).to.be.above(0);
    expect(Buffer.from(sent ?? []).toString("base64").length).to.be.at.most(8 * 1024);
    const received = fromGrpcError(
      Object.assign(new Error("x"), { code: status.code, details: status.details, metadata: status.metadata }) as never,
    );
    expect(received.findDetails(BadRequestSchema)).to.have.length.above(0);
  });
});
