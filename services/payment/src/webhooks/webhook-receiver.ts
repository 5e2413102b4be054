import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type BackgroundTask, inHttpServerSpan } from "@marquee/mesh";
import { WebhookRejectedError } from "../gateway/psp.js";
import type { Payments } from "../payments.js";
import { settleEvent } from "./settle-event.js";

/** The path the gateway delivers to. */
export const webhookPath = "/webhooks/gateway";

/** Largest delivery read; gateway events are a few kilobytes. */
const maxBodyBytes = 1024 * 1024;

/** Why a request gets a status other than 200, with its body. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The gateway's webhook endpoint: `POST /webhooks/gateway` on `WEBHOOK_PORT` (node:http), beside the gRPC
 * server, run as a background task of the composition. Each delivery's signature is checked over the raw
 * bytes before anything is parsed (400 when it is missing, wrong or outside the tolerance, so a forged or
 * replayed body changes nothing); a verified event is settled once (`settleEvent`) and answered 200, also
 * when it was a duplicate or changed nothing, so the gateway stops retrying it. A failure while settling
 * answers 500 and the gateway delivers again.
 */
export class WebhookReceiver {
  private failure: Error | undefined;

  constructor(
    private readonly deps: Payments,
    private readonly options: { readonly port: number; readonly host?: string },
  ) {}

  /** Starts listening; the task's `stop` closes the server (after a failed start too). */
  start(): BackgroundTask & { readonly listening: Promise<number> } {
    const server = createServer((request, response) => void this.handle(request, response));
    const listening = new Promise<number>((resolve, reject) => {
      server.once("error", (error) => {
        this.failure = error;
        this.deps.log.error({ err: error, port: this.options.port }, "webhook endpoint could not listen");
        reject(error);
      });
      server.listen(this.options.port, this.options.host ?? "0.0.0.0", () => {
        this.deps.log.info(
          { port: (server.address() as AddressInfo).port, path: webhookPath },
          "webhook endpoint listening",
        );
        resolve((server.address() as AddressInfo).port);
      });
    });
    listening.catch(() => undefined);
    return {
      listening,
      stop: async () => {
        if (!server.listening) return;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      },
    };
  }

  /** Readiness: not serving when the endpoint failed to listen (never started counts as fine: tests). */
  async check(): Promise<void> {
    if (this.failure !== undefined) throw new Error(`webhook endpoint failed: ${this.failure.message}`);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // In the gateway's trace: its delivery carries the traceparent of the payment call that caused it.
    await inHttpServerSpan(request, webhookPath, async () => {
      try {
        const path = new URL(request.url ?? "/", "http://payment").pathname;
        if (path !== webhookPath) throw new Refusal(404, "not found");
        if (request.method !== "POST") throw new Refusal(405, "POST only");
        const rawBody = await readBody(request);
        const event = this.deps.psp.verifyWebhook(rawBody, request.headers);
        const result = await settleEvent(this.deps, event);
        return send(response, 200, { received: true, result });
      } catch (error) {
        if (error instanceof Refusal) return send(response, error.status, { error: error.message });
        if (error instanceof WebhookRejectedError) {
          this.deps.log.warn({ reason: error.message }, "webhook refused");
          return send(response, 400, { error: error.message });
        }
        this.deps.log.error({ err: error }, "webhook could not be settled");
        return send(response, 500, { error: "internal error" });
      }
    });
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new Refusal(413, "body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Answers JSON; returns the status, for the request's span. */
function send(response: ServerResponse, status: number, body: unknown): number {
  if (!response.headersSent)
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  return status;
}
