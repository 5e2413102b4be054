import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { GatewayEvent } from "@marquee/payment-gateway/api";

/** A second webhook endpoint of the simulator that keeps every event: the test's ledger of what the gateway did. */
export interface WebhookRecorder {
  readonly url: string;
  readonly events: GatewayEvent[];
  /** Authorizations the gateway made for an order (each one reserves money on the card). */
  authorizationsOf(orderId: string): GatewayEvent[];
  close(): Promise<void>;
}

export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const events: GatewayEvent[] = [];
  const seen = new Set<string>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as GatewayEvent;
    if (!seen.has(event.id)) events.push(event);
    seen.add(event.id);
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    events,
    authorizationsOf: (orderId) =>
      events.filter(
        (e) =>
          e.type === "payment_intent.amount_capturable_updated" &&
          (e.data.object as { metadata?: Record<string, string> }).metadata?.order_id === orderId,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
