import type { DescService, Message } from "@bufbuild/protobuf";
import { type CallOptions, type ClientOptions, createClient, ServingStatus } from "@marquee/mesh";
import { Health } from "@marquee/proto/health/v1/health_pb.js";
import { isInternalService } from "./contract.js";

/** A mesh client's methods by local name, as the generic forwarding calls them. */
export type ForwardingClient = Readonly<
  Record<string, (request: Message, options: CallOptions) => Promise<Message> | AsyncIterable<Message>>
>;

/** Settings of the mesh clients to upstreams; the BFF never holds a service token, so none is accepted. */
export type UpstreamClientOptions = Partial<Omit<ClientOptions, "address" | "serviceToken" | "upstream">>;

/** A public service the BFF forwards, and the upstream process serving it. */
export interface Upstream {
  readonly service: DescService;
  /** `host:port` of the upstream. */
  readonly address: string;
  /** The mesh client the forwarding calls: retries, circuit breaker, deadlines, trace context. */
  readonly client: ForwardingClient;
  /** Resolves when the upstream answers `grpc.health.v1` SERVING for the service within `timeoutMs`. */
  checkReady(timeoutMs: number): Promise<void>;
  /** Closes both channels. */
  close(): void;
}

/**
 * The upstreams of the public services whose address is known: internal services are dropped (the BFF
 * never serves them), and so are services `addressOf` has no address for (not deployed yet, or not in
 * this environment). One mesh client per service, so each has its own circuit breaker.
 */
export function connectUpstreams(
  services: readonly DescService[],
  addressOf: (service: DescService) => string | undefined,
  clientOptions: UpstreamClientOptions = {},
): Upstream[] {
  const upstreams: Upstream[] = [];
  for (const service of services) {
    const address = addressOf(service);
    if (isInternalService(service) || address === undefined || address === "") continue;
    const client = createClient(service, { ...clientOptions, address, upstream: service.typeName });
    // A probe is not retried: readiness must say how the upstream is now. It has a connection of its own
    // (grpc-js otherwise shares one per address across channels), so a failure of the forwarding's
    // connection — or a call that broke it — does not read as the upstream being down.
    const health = createClient(Health, {
      address,
      upstream: `${service.typeName}/health`,
      retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0 },
      channelOptions: { "grpc.use_local_subchannel_pool": 1 },
    });
    upstreams.push({
      service,
      address,
      client: client as unknown as ForwardingClient,
      async checkReady(timeoutMs) {
        const { status } = await health.check({ service: service.typeName }, { timeoutMs });
        if (status !== ServingStatus.SERVING) throw new Error(`${service.typeName} is ${ServingStatus[status]}`);
      },
      close() {
        client.close();
        health.close();
      },
    });
  }
  return upstreams;
}
