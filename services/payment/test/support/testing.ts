import {
  assembleService,
  type ClientOptions,
  createLogger,
  loadConfig,
  type MeshClient,
  type ServiceConfig,
  settingsOf,
} from "@marquee/mesh";
import {
  freePort,
  startService,
  startTestServer,
  type TestService,
  testClient,
  testKeys,
  useStarted,
} from "@marquee/mesh/testing";
import { type PaymentGateway, type PaymentGatewayOptions, startPaymentGateway } from "@marquee/payment-gateway/server";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { payment } from "../../src/manifest.js";
import type { Payments } from "../../src/payments.js";
import { webhookPath } from "../../src/webhooks/webhook-receiver.js";
import { type RecordingProxy, startRecordingProxy } from "./recording-proxy.js";

/** How a test's payment service and simulator differ from the defaults. */
export interface PaymentTestOptions {
  /** The payment service's variables (`GATEWAY_TIMEOUT_MS: "200"`). */
  readonly settings?: Readonly<Record<string, string>>;
  /** The simulator's options (latency, error rate, refund settling…). */
  readonly gateway?: PaymentGatewayOptions;
  /** Serve the webhook endpoint on a free port and have the simulator deliver to it. @default false */
  readonly webhooks?: boolean;
  /** Put a recording proxy between the service and the simulator. @default false */
  readonly proxy?: boolean;
}

/** A real simulator and a real payment service over gRPC and PostgreSQL. */
export interface TestPayment {
  readonly gateway: PaymentGateway;
  /** Between service and simulator, when asked for. */
  readonly proxy: RecordingProxy | undefined;
  readonly service: TestService<typeof payment.settings, typeof payment.upstreams, Payments>;
  /**
   * PaymentService as the ordering service calls it (its service token), with the mesh client's own
   * retries and breaker off, so tests see each answer of the payment service itself.
   */
  readonly client: MeshClient<typeof PaymentService>;
  /** `http://127.0.0.1:<port>/webhooks/gateway`, when the endpoint runs. */
  readonly webhookUrl: string | undefined;
  /** An entity manager of the service's schema, for reading rows as stored. */
  db(): EntityManager;
  close(): Promise<void>;
}

/** A client that does not retry or break by itself (see `TestPayment.client`). */
export const plainClient: Partial<ClientOptions> & { serviceName: string } = {
  serviceName: "ordering",
  retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  breaker: { consecutiveFailures: 1_000_000, halfOpenAfterMs: 1000 },
};

/** Starts a simulator (free port, quiet) and the payment service pointed at it. */
export async function startPayment(options: PaymentTestOptions = {}): Promise<TestPayment> {
  const webhookPort = options.webhooks ? await freePort() : undefined;
  const webhookUrl = webhookPort === undefined ? undefined : `http://127.0.0.1:${webhookPort}${webhookPath}`;
  const gateway = await startPaymentGateway({
    port: 0,
    log: createLogger("payment-gateway", "silent"),
    webhookRetryBaseMs: 50,
    webhookMaxAttempts: 3,
    ...options.gateway,
    webhookUrls: [...(webhookUrl === undefined ? [] : [webhookUrl]), ...(options.gateway?.webhookUrls ?? [])],
  });
  const proxy = options.proxy ? await startRecordingProxy(gateway.url) : undefined;
  try {
    const service = await startService(payment, {
      background: webhookPort !== undefined,
      settings: {
        GATEWAY_URL: proxy?.url ?? gateway.url,
        WEBHOOK_PORT: String(webhookPort ?? 0),
        WEBHOOK_TOLERANCE_S: "300",
        ...options.settings,
      },
    });
    const client = await service.client(PaymentService, plainClient);
    return {
      gateway,
      proxy,
      service,
      client,
      webhookUrl,
      db: () => service.deps.orm.em.fork(),
      async close() {
        await service.close();
        await proxy?.close();
        await gateway.close();
      },
    };
  } catch (error) {
    await proxy?.close();
    await gateway.close();
    throw error;
  }
}

/** `startPayment` around the tests of the calling `describe`; options may be computed in `before`. */
export function usePayment(options: PaymentTestOptions | (() => Promise<PaymentTestOptions>) = {}): TestPayment {
  return useStarted("payment", async () => startPayment(typeof options === "function" ? await options() : options));
}

/** A payment service started over an existing schema (a restart with other settings), with its client. */
export interface RestartedPayment {
  readonly client: MeshClient<typeof PaymentService>;
  readonly deps: Payments;
  close(): Promise<void>;
}

/**
 * Starts another payment service process-alike over the schema of `previous` — as a deployment restarts
 * with new variables over the same database — for tests of what outlives a process: key rotation.
 */
export async function restartPayment(
  previous: TestPayment,
  settings: Readonly<Record<string, string>>,
): Promise<RestartedPayment> {
  const keys = await testKeys();
  const { orm } = previous.service.deps;
  const environment = {
    PORT: "0",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    AUTH_JWKS_URL: keys.jwksPath,
    DATABASE_URL: previous.service.parts.config.DATABASE_URL,
    GATEWAY_URL: previous.gateway.url,
    WEBHOOK_PORT: "0",
    ...settings,
  };
  const config = loadConfig(settingsOf(payment), environment) as ServiceConfig<typeof payment.settings>;
  const log = createLogger("payment-test", config.LOG_LEVEL);
  const assembled = await assembleService(payment, config, log, {
    schema: String(orm.config.get("schema")),
    migrate: true,
    background: false,
  });
  const server = await startTestServer(assembled.implementations, { log, readiness: assembled.readiness });
  const client = await testClient(PaymentService, server.address, { timeoutMs: 20_000, ...plainClient });
  return {
    client,
    deps: assembled.deps,
    async close() {
      client.close();
      await server.close();
      for (const close of assembled.closers) await close();
    },
  };
}

/** The simulator's test cards and the browser's tokenization, for tests of the services that pay. */
export { cards, gatewayIntent, gatewayRefunds, tokenize } from "./gateway.js";
