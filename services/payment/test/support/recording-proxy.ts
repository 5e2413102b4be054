import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that went through the proxy, and how it ended. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  /** The gateway's status, or "aborted" when the payment service gave up before the answer. */
  status: number | "aborted" | "pending";
  /** Whether the gateway replayed a stored answer (`Idempotent-Replayed: true`). */
  isReplay: boolean;
}

/** A transparent HTTP proxy in front of the real simulator, recording what the payment service sent. */
export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The requests for one path prefix, e.g. `POST /v1/payment_intents`. */
  requestsTo(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a proxy that forwards every request to `target` unchanged and records it: the test's view of
 * what crossed the wire (which idempotency key each attempt carried, which ones the gateway replayed).
 * A client that gives up has its upstream request aborted too, as a direct connection would, so the
 * simulator sees the client go away exactly as it would without the proxy.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const record: RecordedRequest = {
      method: incoming.method ?? "GET",
      path: incoming.url ?? "/",
      idempotencyKey: incoming.headers["idempotency-key"] as string | undefined,
      status: "pending",
      isReplay: false,
    };
    requests.push(record);
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        record.isReplay = answer.headers["idempotent-replayed"] === "true";
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => {
      if (!outgoing.headersSent) outgoing.writeHead(502).end();
    });
    outgoing.on("close", () => {
      if (!outgoing.writableFinished) {
        if (record.status === "pending") record.status = "aborted";
        forwarded.destroy();
      }
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (method, path) => requests.filter((r) => r.method === method && r.path.split("?")[0] === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
