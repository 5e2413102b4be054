import { Agent, request } from "node:http";

/** An HTTP answer, its body whole. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * JSON POSTs over HTTP/1.1 to one origin on keep-alive sockets, as a browser's `fetch` sends Connect's JSON
 * protocol to the BFF and a card form to the payment gateway. node:http, not `fetch`: undici would cost
 * the load generator, which shares the machine with the stack, several times the CPU per request.
 */
export class JsonClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  /** `maxSockets`: HTTP/1.1 carries one request at a time, so one socket per request in flight. */
  constructor(
    baseUrl: string,
    maxSockets: number,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  post(path: string, body: string, headers: Readonly<Record<string, string>> = {}): Promise<JsonAnswer> {
    return new Promise((resolve, reject) => {
      const call = request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          path,
          method: "POST",
          headers: {
            ...this.headers,
            ...headers,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", reject);
        },
      );
      call.on("error", reject);
      call.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
