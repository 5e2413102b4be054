import type { DescService } from "@bufbuild/protobuf";
import { createServiceTokenMinter } from "../auth/service-token.js";
import { createTokenVerifier } from "../auth/verify-token.js";
import { type ClientOptions, createClient, type MeshClient } from "../client.js";
import { createLogger } from "../logger.js";
import { type MeshServer, type ServerOptions, type ServiceImplementation, startServer } from "../server.js";
import { testKeys } from "./tokens.js";

/** A server started by a test, on a free port, trusting the test keys. */
export interface TestServer extends MeshServer {
  /** `127.0.0.1:<port>`, for clients. */
  readonly address: string;
  /** Stops it at once (no drain); use `shutdown` to test draining. */
  close(): Promise<void>;
}

/**
 * Starts a mesh server for `services` as a service process would, with the test key pair's JWKS, quiet
 * logs (`LOG_LEVEL` to see them) and the given extra options, on `port` (default: one the kernel picks).
 */
export async function startTestServer(
  services: readonly ServiceImplementation[],
  options: Partial<Omit<ServerOptions, "services">> & { readonly port?: number } = {},
): Promise<TestServer> {
  const { jwksPath } = await testKeys();
  const server = await startServer(
    {
      services,
      verifier: options.verifier ?? createTokenVerifier({ jwksUrl: jwksPath }),
      log: options.log ?? createLogger("test-server", process.env.LOG_LEVEL ?? "silent"),
      ...(options.readiness ? { readiness: options.readiness } : {}),
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
    },
    options.port ?? 0,
    "127.0.0.1",
  );
  return { ...server, address: `127.0.0.1:${server.port}`, close: () => server.shutdown(0) };
}

/** A mesh client of `service` at `address` whose service token is the test keys' `svc:<serviceName>`. */
export async function testClient<S extends DescService>(
  service: S,
  address: string,
  options: Partial<ClientOptions> & { serviceName?: string } = {},
): Promise<MeshClient<S>> {
  const { signingKey } = await testKeys();
  const minter = createServiceTokenMinter({ service: options.serviceName ?? "test", signingKey });
  return createClient(service, { serviceToken: () => minter.token(), ...options, address });
}
