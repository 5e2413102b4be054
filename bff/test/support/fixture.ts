import { Code } from "@connectrpc/connect";
import { createLogger } from "@marquee/mesh";
import { startTestServer, type TestServer, testKeys } from "@marquee/mesh/testing";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
// The mesh's own test service: a real generated service with PUBLIC, CUSTOMER, ORGANIZER, ADMIN and
// INTERNAL RPCs, a validated one and a server stream. Test-only, so imported by path.
import { MeshTestService } from "../../../services/mesh/test/gen/marquee/meshtest/v1/mesh_test_pb.js";
import { type Counters, meshTestService } from "../../../services/mesh/test/support/mesh-test-service.js";
import { type Gateway, type GatewayOptions, startGateway } from "../../src/gateway/index.js";

export { MeshTestService };

/** A BFF in this process in front of a real upstream serving MeshTestService. */
export interface Fixture {
  readonly upstream: TestServer;
  readonly gateway: Gateway;
  /** `http://127.0.0.1:<port>` of the BFF, for fetch and connect transports. */
  readonly baseUrl: string;
  /** `127.0.0.1:<port>` of the BFF, for grpc-js clients and grpcurl. */
  readonly address: string;
  /** How often the upstream's handlers ran. */
  readonly counters: Counters;
  /** Stops the BFF and the upstream. */
  close(): Promise<void>;
}

/**
 * Starts an upstream serving MeshTestService and a BFF on a free port whose service list is
 * MeshTestService and CatalogInternalService, both "deployed" at the upstream's address: the internal
 * one must be neither routed nor listed. Limits are small so tests can exceed them.
 */
export async function startFixture(options: Partial<GatewayOptions> = {}): Promise<Fixture> {
  const counters: Counters = { charge: 0, validated: 0, echo: 0 };
  const upstream = await startTestServer([meshTestService(counters)]);
  const gateway = await startGateway({
    services: [MeshTestService, CatalogInternalService],
    addressOf: () => upstream.address,
    jwksUrl: (await testKeys()).jwksPath,
    log: createLogger("bff-test", process.env.LOG_LEVEL ?? "silent"),
    port: 0,
    host: "127.0.0.1",
    maxRequestBytes: 64 * 1024,
    requestTimeoutMs: 3000,
    ...options,
  });
  return {
    upstream,
    gateway,
    baseUrl: `http://127.0.0.1:${gateway.port}`,
    address: `127.0.0.1:${gateway.port}`,
    counters,
    async close() {
      await gateway.shutdown(0);
      await upstream.close();
    },
  };
}

export { codeOf, failureOf as errorOf } from "@marquee/mesh/testing";

/** POSTs a Connect JSON request as a browser's plain `fetch` would. */
export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? {} : JSON.parse(text) };
}

export { Code };
