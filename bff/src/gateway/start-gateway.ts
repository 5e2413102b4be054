import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import { createTokenVerifier, type Logger, refusingRevoked, watchIdentityRevocations } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { peerAddressKey } from "./call-values.js";
import { addressVariableOf, isInternalService } from "./contract.js";
import { corsPolicy } from "./cors.js";
import { forward } from "./forward.js";
import { listen, type RequestHandler } from "./listener.js";
import { pipeline } from "./pipeline.js";
import { createProbes } from "./probes.js";
import { RateLimiter, type RateLimitOptions } from "./rate-limit/rate-limiter.js";
import { serveReflection } from "./reflection.js";
import { rpcHandler } from "./rpc-handler.js";
import { type ClientTokenIssuer, createTokenEndpoint } from "./token-endpoint.js";
import { answerUnrouted } from "./unrouted.js";
import { connectUpstreams, type UpstreamClientOptions } from "./upstreams.js";
import { createWebApp, type WebAppConfig } from "./web-app.js";

/** What the BFF serves and how; `src/config.ts` supplies each from the environment. */
export interface GatewayOptions {
  /**
   * The services the BFF may serve: in production the whole contract (`contractServices()`); tests pass
   * their own. Internal services among them are never served.
   */
  readonly services: readonly DescService[];
  /** The `host:port` of the upstream serving a service (its `<NAME>_ADDR`); undefined or "" = not served. */
  readonly addressOf: (service: DescService) => string | undefined;
  /** `AUTH_JWKS_URL`: an https URL, or a file path in development. */
  readonly jwksUrl: string;
  /**
   * Identity's revoked-subjects list (IdentityInternalService.GetRevokedSubjects at `IDENTITY_ADDR`, called
   * with the BFF's service token), polled every `intervalMs` so a disabled user's tokens are refused
   * within seconds, before any upstream sees them. Undefined: a token is refused only at its expiry.
   * The same service token vouches for clients' addresses on anonymous calls forwarded to identity (its
   * per-IP sign-in limits: see `ClientAddressForwarding`); without it, identity learns no address.
   */
  readonly revocation?: {
    readonly identityAddress: string;
    readonly serviceToken: () => Promise<string>;
    /** @default 2000 */
    readonly intervalMs?: number;
  };
  readonly log: Logger;
  /** 0 picks a free port. */
  readonly port: number;
  /** @default "0.0.0.0" */
  readonly host?: string;
  /** The largest request message accepted (after decompression); larger ones get RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes: number;
  /** The longest a unary call may take; a caller's shorter deadline wins. */
  readonly requestTimeoutMs: number;
  /** Origins other than the BFF's own whose pages may call it; none by default. */
  readonly corsOrigins?: readonly string[];
  /** Settings of the mesh clients to the upstreams (retries, breaker). */
  readonly clientOptions?: UpstreamClientOptions;
  /** Token-bucket rate limits per client IP and per user, in Redis. Undefined: no limits. */
  readonly rateLimits?: RateLimitOptions;
  /**
   * `TRUST_PROXY`: the BFF is behind a proxy that appends the client's address to `x-forwarded-for`, so a
   * client's address (per-IP limits, identity's sign-in throttle) is its last entry, not the TCP peer.
   * @default false
   */
  readonly isBehindProxy?: boolean;
  /** The web app to serve on every other GET path: its built files and what it learns at run time. */
  readonly webApp?: { readonly dir: string; readonly config: WebAppConfig };
}

/** A running BFF. */
export interface Gateway {
  /** The port serving HTTP/1.1 and h2c. */
  readonly port: number;
  /** The public services it forwards and reflection lists. */
  readonly services: readonly DescService[];
  /**
   * Graceful stop: `/readyz` answers 503, no new connections are accepted, in-flight calls get up to
   * `drainMs` to finish, then the rest are ended UNAVAILABLE; upstream channels are closed last.
   */
  shutdown(drainMs?: number): Promise<void>;
}

/**
 * Starts the BFF on one port: Connect (JSON and binary), gRPC-Web and gRPC, each public service
 * forwarded to its upstream through the generic forwarding, server reflection over exactly those
 * services, `/healthz` and `/readyz`, the partners' OAuth2 token endpoint `/oauth2/token` (when identity
 * is served), the web app (when built and configured), and CORS closed unless origins are allowed. See `pipeline` for
 * what every call goes through.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { log } = options;
  // The mesh client's own 5 s default would cut every forwarded call short of REQUEST_TIMEOUT_MS.
  const upstreams = connectUpstreams(options.services, options.addressOf, {
    timeoutMs: options.requestTimeoutMs,
    ...options.clientOptions,
  });
  const served = upstreams.map((upstream) => upstream.service);
  const revocations = options.revocation ? await watchIdentityRevocations({ ...options.revocation, log }) : undefined;
  const jwksVerifier = createTokenVerifier({ jwksUrl: options.jwksUrl });
  const verifier = revocations ? refusingRevoked(jwksVerifier, revocations) : jwksVerifier;
  const shutdown = new AbortController();
  const limiter = options.rateLimits ? new RateLimiter(options.rateLimits, log, options.isBehindProxy) : undefined;
  await limiter?.connect();

  const rpcs = rpcHandler({
    routes(router) {
      const interceptors = pipeline(verifier, limiter);
      // Identity throttles sign-in per client IP, so it is told each anonymous caller's address, with the
      // BFF's token to vouch for it, read as the per-IP rate limits read it (TRUST_PROXY).
      const clientAddress = options.revocation
        ? { serviceToken: options.revocation.serviceToken, isBehindProxy: options.isBehindProxy ?? false }
        : undefined;
      for (const upstream of upstreams) {
        const isIdentity = upstream.service.typeName === IdentityService.typeName;
        forward(router, upstream, {
          maxUnaryTimeoutMs: options.requestTimeoutMs,
          interceptors,
          log,
          ...(isIdentity && clientAddress ? { clientAddress } : {}),
        });
      }
      serveReflection(router, served);
    },
    readMaxBytes: options.maxRequestBytes,
    fallback: answerUnrouted,
    // Handlers' signals abort with this, so calls still running when the drain ends answer UNAVAILABLE.
    shutdownSignal: shutdown.signal,
    contextValues: (request) => createContextValues().set(peerAddressKey, request.socket.remoteAddress ?? ""),
    log,
  });
  const probes = createProbes(upstreams);
  // The OAuth2 token endpoint for partners, wherever identity is served: it calls IssueClientToken.
  const identity = upstreams.find((upstream) => upstream.service.typeName === IdentityService.typeName);
  const tokenEndpoint = identity
    ? createTokenEndpoint({
        identity: identity.client as unknown as ClientTokenIssuer,
        timeoutMs: options.requestTimeoutMs,
        ...(limiter ? { limiter } : {}),
        log,
      })
    : undefined;
  const cors = corsPolicy(options.corsOrigins ?? []);
  const webApp = options.webApp ? createWebApp({ ...options.webApp, log }) : undefined;
  const handler: RequestHandler = (request, response) => {
    if (probes.handle(request, response) || tokenEndpoint?.handle(request, response) || cors(request, response)) return;
    if (webApp?.(request, response)) return;
    rpcs(request, response);
  };

  const listener = await listen(handler, options.port, options.host).catch(async (error: unknown) => {
    await revocations?.stop();
    limiter?.close();
    throw error;
  });
  const notServed = options.services.filter((s) => !isInternalService(s) && !served.includes(s));
  log.info(
    {
      port: listener.port,
      services: Object.fromEntries(upstreams.map((u) => [u.service.typeName, u.address])),
      notServed: notServed.map((s) => `${s.typeName} (no ${addressVariableOf(s)})`),
      rateLimits: options.rateLimits ? "on" : "off",
    },
    "serving",
  );

  let stopping: Promise<void> | undefined;
  return {
    port: listener.port,
    services: served,
    shutdown(drainMs = 10_000) {
      stopping ??= (async () => {
        probes.markShuttingDown();
        await listener.close(drainMs, () =>
          shutdown.abort(new ConnectError("the BFF is shutting down", Code.Unavailable)),
        );
        await revocations?.stop();
        limiter?.close();
        for (const upstream of upstreams) upstream.close();
      })();
      return stopping;
    },
  };
}
