import { defineService } from "@marquee/mesh";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import { settings } from "./config.js";
import { devKeyId, FieldCipher } from "./crypto/field-cipher.js";
import { entities } from "./entities/index.js";
import { SimulatorAdapter } from "./gateway/simulator-adapter.js";
import { migrations } from "./migrations/index.js";
import type { Payments } from "./payments.js";
import * as rpcs from "./rpc/index.js";
import { WebhookReceiver } from "./webhooks/webhook-receiver.js";

/**
 * The payment service: card payments of orders at a payment gateway through a PSP adapter (the
 * simulator's today), internal only. Unlike catalog and inventory it has a second listener, the
 * gateway's webhook endpoint, run as a background task; and it writes no events (PaymentFailed is
 * ordering's), so it needs no event bus.
 */
export const payment = defineService({
  name: "payment",
  ports: { grpc: 50056, metrics: 9456 },
  upstreams: {},
  settings,
  database: { schema: "payment", entities, migrations },
  services: [PaymentService],
  rpcs: Object.values(rpcs),
  compose({ config, log, orm }) {
    const cipher = new FieldCipher({
      keys: config.PAYMENT_ENCRYPTION_KEYS,
      currentKeyId: config.PAYMENT_ENCRYPTION_KEY_ID,
    });
    if (cipher.currentKeyId === devKeyId) {
      log.warn("PAYMENT_ENCRYPTION_KEYS is the development key anyone can derive: set real keys outside local runs");
    }
    const psp = new SimulatorAdapter({
      url: config.GATEWAY_URL,
      secretKey: config.GATEWAY_SECRET_KEY,
      webhookSecret: config.WEBHOOK_SECRET,
      webhookToleranceSeconds: config.WEBHOOK_TOLERANCE_S,
      resilience: {
        attemptTimeoutMs: config.GATEWAY_TIMEOUT_MS,
        maxAttempts: config.GATEWAY_MAX_ATTEMPTS,
        initialDelayMs: config.GATEWAY_RETRY_INITIAL_DELAY_MS,
        maxDelayMs: config.GATEWAY_RETRY_MAX_DELAY_MS,
        breakerFailures: config.GATEWAY_BREAKER_FAILURES,
        breakerHalfOpenMs: config.GATEWAY_BREAKER_HALF_OPEN_MS,
      },
    });
    const deps: Payments = { orm, psp, cipher, log };
    const webhooks = new WebhookReceiver(deps, { port: config.WEBHOOK_PORT });
    return {
      deps,
      readiness: [() => webhooks.check()],
      background: [() => webhooks.start()],
    };
  },
});
