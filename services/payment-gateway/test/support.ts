import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@marquee/mesh";
import type { ErrorBody, PaymentIntent, Token } from "../src/api.js";
import {
  defaultSecretKey,
  type PaymentGateway,
  type PaymentGatewayOptions,
  startPaymentGateway,
} from "../src/server.js";

/** The numbers of the README's table. */
export const cards = {
  success: "4242424242424242",
  genericDecline: "4000000000000002",
  insufficientFunds: "4000000000009995",
  processingError: "4000000000000119",
  hang: "4000000000007775",
} as const;

/** An expiry two years ahead, so the tests never age. */
export const futureYear = new Date().getUTCFullYear() + 2;

/** A gateway on a free port that logs only errors (tests read answers, not logs). */
export function startTestGateway(options: PaymentGatewayOptions = {}): Promise<PaymentGateway> {
  return startPaymentGateway({ log: createLogger("payment-gateway", "error"), ...options });
}

export interface Reply<T> {
  status: number;
  headers: Headers;
  /** The body as sent, to compare replays byte for byte. */
  text: string;
  body: T;
}

export interface CallOptions {
  secretKey?: string | null;
  idempotencyKey?: string;
  origin?: string;
  signal?: AbortSignal;
}

/** One real HTTP call; `secretKey: null` sends no Authorization header. */
export async function call<T = unknown>(
  gateway: PaymentGateway,
  method: "GET" | "POST" | "OPTIONS",
  path: string,
  body?: unknown,
  options: CallOptions & { headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const secretKey = options.secretKey === undefined ? defaultSecretKey : options.secretKey;
  if (secretKey !== null) headers.Authorization = `Bearer ${secretKey}`;
  if (options.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
  if (options.origin !== undefined) headers.Origin = options.origin;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: (text === "" ? {} : JSON.parse(text)) as T };
}

export function post<T = unknown>(gateway: PaymentGateway, path: string, body: unknown, options: CallOptions = {}) {
  return call<T>(gateway, "POST", path, body, options);
}

export function get<T = unknown>(gateway: PaymentGateway, path: string, options: CallOptions = {}) {
  return call<T>(gateway, "GET", path, undefined, options);
}

/** The body of an error answer. */
export type Failure = ErrorBody;

/** Tokenizes a card the way the browser does: no secret key. */
export async function tokenize(gateway: PaymentGateway, number: string = cards.success): Promise<Token> {
  const reply = await post<Token>(
    gateway,
    "/v1/tokens",
    { card: { number, exp_month: 12, exp_year: futureYear, cvc: "123" } },
    { secretKey: null },
  );
  if (reply.status !== 200) throw new Error(`tokenize answered ${reply.status}: ${reply.text}`);
  return reply.body;
}

/** Authorizes `amount` on a token, with manual capture as the checkout saga asks. */
export function authorize(gateway: PaymentGateway, tokenId: string, amount = 5000, options: CallOptions = {}) {
  return post<PaymentIntent>(
    gateway,
    "/v1/payment_intents",
    { amount, currency: "usd", token: tokenId, capture_method: "manual", metadata: { order_id: "ord_1" } },
    options,
  );
}

/** An authorized intent for `amount`, ready to capture. */
export async function authorized(gateway: PaymentGateway, amount = 5000): Promise<PaymentIntent> {
  const reply = await authorize(gateway, (await tokenize(gateway)).id, amount);
  if (reply.status !== 200) throw new Error(`authorize answered ${reply.status}: ${reply.text}`);
  return reply.body;
}

export interface Delivery {
  at: number;
  headers: IncomingMessage["headers"];
  /** The raw body, as a receiver must verify it. */
  body: string;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Resolves once `count` deliveries arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

/** A webhook receiver that answers `statusOf(n)` to its n-th delivery (1-based). */
export async function startReceiver(statusOf: (n: number) => number = () => 200, port = 0): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      deliveries.push({ at: Date.now(), headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(statusOf(deliveries.length)).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/webhooks`,
    deliveries,
    waitFor: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${deliveries.length} of ${count} deliveries after ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          if (deliveries.length >= count) {
            clearTimeout(timer);
            resolve(deliveries.slice());
          } else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
