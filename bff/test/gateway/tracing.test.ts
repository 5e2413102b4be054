import { useTracing, waitFor } from "@marquee/mesh/testing";
import { SpanKind } from "@opentelemetry/api";
import { expect } from "chai";
import { type Fixture, postJson, startFixture } from "../support/fixture.js";

describe("tracing", () => {
  const exporter = useTracing();
  let fixture: Fixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(() => fixture.close());

  const spansOf = (traceId: string) =>
    exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);

  it("continues the caller's traceparent through the BFF's span to the upstream's", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpanId = "00f067aa0ba902b7";
    const { json } = await postJson(
      fixture.baseUrl,
      "marquee.meshtest.v1.MeshTestService/Echo",
      { message: "traced" },
      { traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    expect(json.traceId).to.equal(traceId);
    const spans = await waitFor("the BFF's and the upstream's server spans", () => {
      const found = spansOf(traceId).filter((span) => span.kind === SpanKind.SERVER);
      return found.length >= 2 && found;
    });
    const bff = spans.find((span) => span.attributes["rpc.system"] === "connect_rpc");
    const upstream = spans.find((span) => span.attributes["rpc.system"] === "grpc");
    expect(bff?.name).to.equal("marquee.meshtest.v1.MeshTestService/Echo");
    expect(bff?.parentSpanContext?.spanId).to.equal(callerSpanId);
    // The upstream's server span hangs under the mesh client's span, which hangs under the BFF's.
    const client = spansOf(traceId).find((span) => span.kind === SpanKind.CLIENT);
    expect(client?.parentSpanContext?.spanId).to.equal(bff?.spanContext().spanId);
    expect(upstream?.parentSpanContext?.spanId).to.equal(client?.spanContext().spanId);
  });

  it("starts a trace for a caller that sent none, and the upstream joins it", async () => {
    const { json } = await postJson(fixture.baseUrl, "marquee.meshtest.v1.MeshTestService/Echo", { message: "new" });
    const traceId = json.traceId as string;
    expect(traceId).to.match(/^[0-9a-f]{32}$/);
    const bff = await waitFor("the BFF's span", () =>
      spansOf(traceId).find((span) => span.attributes["rpc.system"] === "connect_rpc"),
    );
    expect(bff.parentSpanContext).to.equal(undefined);
  });

  it("keeps a server stream's upstream call in the BFF's trace", async () => {
    const response = await fetch(`${fixture.baseUrl}/marquee.meshtest.v1.MeshTestService/Count`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: envelope({ count: 2, intervalMs: 1 }),
    });
    const text = Buffer.from(await response.arrayBuffer()).toString("latin1");
    const traceIds = [...text.matchAll(/"traceId":"([0-9a-f]{32})"/g)].map((match) => match[1]);
    expect(traceIds).to.have.lengthOf(2);
    const bff = await waitFor("the BFF's span", () =>
      spansOf(traceIds[0] as string).find((span) => span.attributes["rpc.system"] === "connect_rpc"),
    );
    expect(bff.name).to.equal("marquee.meshtest.v1.MeshTestService/Count");
  });
});

/** One Connect streaming envelope: flags, big-endian length, JSON. */
function envelope(message: object): Buffer {
  const json = Buffer.from(JSON.stringify(message));
  const header = Buffer.alloc(5);
  header.writeUInt32BE(json.length, 1);
  return Buffer.concat([header, json]);
}
