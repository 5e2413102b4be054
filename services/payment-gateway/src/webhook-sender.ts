import type { Logger } from "@marquee/mesh";
import { context, propagation } from "@opentelemetry/api";
import type { GatewayEvent } from "./api.js";
import { newId, unixSeconds } from "./ids.js";
import type { EventDraft } from "./ledger.js";
import type { Timers } from "./timers.js";
import { signatureHeader, signWebhookPayload } from "./webhooks.js";

export interface WebhookSenderOptions {
  secret: string;
  /** Delay before the second attempt; each later one waits twice as long. */
  retryBaseMs: number;
  /** Attempts per event and endpoint, the first included. */
  maxAttempts: number;
  /** How long one attempt waits for the receiver's answer. */
  timeoutMs: number;
  timers: Timers;
  /** Aborted when the gateway closes: attempts in flight stop. */
  signal: AbortSignal;
  log: Logger;
}

/**
 * Delivers each event to every endpoint configured when it happened, signed, retrying a receiver that
 * answers non-2xx or cannot be reached with exponential backoff up to `maxAttempts`. Events are not
 * ordered across retries (as with Stripe): receivers order by the object's state, not by arrival.
 */
export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  send(draft: EventDraft, urls: readonly string[]): void {
    if (urls.length === 0 || this.options.signal.aborted) return;
    const event = {
      id: newId("evt"),
      object: "event",
      type: draft.type,
      created: unixSeconds(Date.now()),
      data: { object: draft.object },
      livemode: false,
    } as GatewayEvent;
    // Serialized once: every attempt sends the same bytes, signed afresh with the time of the attempt.
    const body = JSON.stringify(event);
    // The request that caused the event is the trace's parent, retries included.
    const traceHeaders: Record<string, string> = {};
    propagation.inject(context.active(), traceHeaders);
    for (const url of urls) void this.attempt(url, event, body, traceHeaders, 1);
  }

  private async attempt(
    url: string,
    event: GatewayEvent,
    body: string,
    traceHeaders: Record<string, string>,
    attempt: number,
  ): Promise<void> {
    const { options } = this;
    const context = { event_id: event.id, event_type: event.type, url, attempt };
    let failure: string;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          ...traceHeaders,
          "Content-Type": "application/json",
          "User-Agent": "marquee-payment-gateway/0.1",
          [signatureHeader]: signWebhookPayload(body, options.secret, unixSeconds(Date.now())),
          "Gateway-Delivery-Attempt": String(attempt),
        },
        body,
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      await response.body?.cancel();
      if (response.ok) {
        options.log.debug({ ...context, status: response.status }, "webhook delivered");
        return;
      }
      failure = `answered ${response.status}`;
    } catch (error) {
      if (options.signal.aborted) return;
      failure = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : String(error);
    }
    if (attempt >= options.maxAttempts) {
      options.log.error({ ...context, failure }, "webhook given up");
      return;
    }
    const delayMs = options.retryBaseMs * 2 ** (attempt - 1);
    options.log.warn({ ...context, failure, retry_in_ms: delayMs }, "webhook failed; will retry");
    options.timers.after(delayMs, () => void this.attempt(url, event, body, traceHeaders, attempt + 1));
  }
}
