/**
 * `@marquee/payment-gateway/server`: the simulator as a library, for the launcher and for tests.
 *
 * ```ts
 * const gateway = await startPaymentGateway({ port: 0, webhookUrls: ["http://127.0.0.1:4000/webhooks"] });
 * gateway.settings.errorRate = 1; // every API request now answers 500, changing nothing
 * await gateway.close();
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger, inHttpServerSpan, type Logger } from "@marquee/mesh";
import { corsHeaders, isOriginAllowed, originRefused, preflightHeaders } from "./cors.js";
import { GatewayError, injectedFault } from "./errors.js";
import { readJsonBody, sendJson } from "./http.js";
import { type Claim, IdempotencyKeys } from "./idempotency.js";
import { newId } from "./ids.js";
import { Ledger } from "./ledger.js";
import type { Body } from "./params.js";
import { paymentIntentRoutes } from "./routes/payment-intents.js";
import { refundRoutes } from "./routes/refunds.js";
import { type Answer, isKnownPath, matchRoute, type Route } from "./routes/route.js";
import { simulatorRoutes } from "./routes/simulator.js";
import { tokenRoutes } from "./routes/tokens.js";
import { type FaultSettings, isWebhookUrl, latencyOf } from "./settings.js";
import { Timers } from "./timers.js";
import { WebhookSender } from "./webhook-sender.js";

export type { FaultSettings } from "./settings.js";

/** The secret key of a gateway started without one: a test key, like the ones in Stripe's docs. */
export const defaultSecretKey = "sk_test_marquee_simulator";
/** The webhook signing secret of a gateway started without one. */
export const defaultWebhookSecret = "whsec_marquee_simulator";

export interface PaymentGatewayOptions extends Partial<FaultSettings> {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Keys accepted as `Authorization: Bearer <key>`, each `sk_test_…`; idempotency keys are per secret key. @default [defaultSecretKey] */
  secretKeys?: readonly string[];
  /** Signs webhooks. @default defaultWebhookSecret */
  webhookSecret?: string;
  /** Origins a browser may tokenize from (`*` for any). @default [] */
  allowedOrigins?: readonly string[];
  /** @default 600000 (10 minutes) */
  tokenTtlMs?: number;
  /** @default 86400000 (24 hours) */
  idempotencyTtlMs?: number;
  /** How long an uncaptured authorization holds. @default 604800000 (7 days, as card networks) */
  authorizationTtlMs?: number;
  /** How long a refund stays pending; 0 settles it at once. @default 0 */
  refundSettleMs?: number;
  /** The longest the hanging test card holds a request open. @default 300000 (5 minutes) */
  hangMs?: number;
  /** @default 1000 */
  webhookRetryBaseMs?: number;
  /** @default 6 */
  webhookMaxAttempts?: number;
  /** @default 10000 */
  webhookTimeoutMs?: number;
  /** @default createLogger("payment-gateway") */
  log?: Logger;
}

export interface PaymentGateway {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Live: change a field and the next request sees it. */
  settings: FaultSettings;
  /** Stops listening, ends open requests (a hanging one too), cancels pending webhook retries. */
  close(): Promise<void>;
}

/** Checks the options and reports every problem at once. */
function problemsOf(options: PaymentGatewayOptions, secretKeys: readonly string[]): string[] {
  const problems: string[] = [];
  if (secretKeys.length === 0) problems.push("secretKeys must not be empty");
  for (const key of secretKeys) if (!/^sk_test_\w+$/.test(key)) problems.push("every secret key must be sk_test_…");
  if (options.errorRate !== undefined && !(options.errorRate >= 0 && options.errorRate <= 1)) {
    problems.push("errorRate must be from 0 to 1");
  }
  for (const url of options.webhookUrls ?? []) if (!isWebhookUrl(url)) problems.push(`${url} is not an http(s) URL`);
  return problems;
}

/** Starts the simulator; resolves once it listens. */
export async function startPaymentGateway(options: PaymentGatewayOptions = {}): Promise<PaymentGateway> {
  const secretKeys = options.secretKeys ?? [defaultSecretKey];
  const problems = problemsOf(options, secretKeys);
  if (problems.length > 0) throw new Error(`invalid payment gateway options: ${problems.join("; ")}`);
  const log = options.log ?? createLogger("payment-gateway");
  const allowedOrigins = options.allowedOrigins ?? [];
  const settings: FaultSettings = {
    latencyMs: options.latencyMs ?? 0,
    latencyJitterMs: options.latencyJitterMs ?? 0,
    errorRate: options.errorRate ?? 0,
    webhookUrls: [...(options.webhookUrls ?? [])],
  };
  const closing = new AbortController();
  const timers = new Timers();
  const webhooks = new WebhookSender({
    secret: options.webhookSecret ?? defaultWebhookSecret,
    retryBaseMs: options.webhookRetryBaseMs ?? 1000,
    maxAttempts: options.webhookMaxAttempts ?? 6,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    timers,
    signal: closing.signal,
    log,
  });
  const ledger = new Ledger({
    tokenTtlMs: options.tokenTtlMs ?? 600_000,
    authorizationTtlMs: options.authorizationTtlMs ?? 604_800_000,
    refundSettleMs: options.refundSettleMs ?? 0,
    timers,
    emit: (event) => webhooks.send(event, settings.webhookUrls),
  });
  const idempotency = new IdempotencyKeys(options.idempotencyTtlMs ?? 86_400_000);
  const routes: Route[] = [
    ...tokenRoutes(ledger),
    ...paymentIntentRoutes(ledger, options.hangMs ?? 300_000),
    ...refundRoutes(ledger),
    ...simulatorRoutes(settings),
  ];

  /** The answer to one request, as status, body and headers; throws GatewayError. */
  async function answer(
    request: IncomingMessage,
    url: URL,
    headers: Record<string, string>,
    clientGone: AbortSignal,
  ): Promise<{ status: number; body: string; isReplay?: boolean }> {
    const method = request.method ?? "GET";
    const origin = request.headers.origin;
    if (method === "GET" && url.pathname === "/healthz") return { status: 200, body: '{"status":"ok"}' };
    if (method === "OPTIONS") {
      const isBrowser = matchRoute(routes, "POST", url.pathname)?.route.access === "browser";
      if (origin === undefined || !isBrowser || !isOriginAllowed(origin, allowedOrigins)) {
        throw originRefused(origin ?? "(none)", isBrowser);
      }
      Object.assign(headers, preflightHeaders(request, origin));
      return { status: 204, body: "" };
    }
    const match = matchRoute(routes, method, url.pathname);
    if (match === undefined) {
      if (isKnownPath(routes, url.pathname)) {
        throw new GatewayError(405, "invalid_request_error", "method_not_allowed", `${method} is not allowed here.`);
      }
      throw new GatewayError(
        404,
        "invalid_request_error",
        "unrecognized_request_url",
        `Unrecognized request URL (${method}: ${url.pathname}).`,
      );
    }
    const { route, params } = match;

    let scope: string;
    if (route.access === "browser") {
      if (origin !== undefined) {
        if (!isOriginAllowed(origin, allowedOrigins)) throw originRefused(origin, true);
        Object.assign(headers, corsHeaders(origin));
      }
      scope = `browser ${origin ?? ""}`;
    } else {
      // A browser would need the secret key to get here: refusing any Origin keeps the key server-side.
      if (origin !== undefined) throw originRefused(origin, false);
      scope = authenticate(request.headers.authorization);
    }

    const body: Body = method === "POST" ? await readJsonBody(request) : {};
    const isApi = route.access !== "admin";
    if (isApi && Math.random() < settings.errorRate) throw injectedFault();

    const key = request.headers["idempotency-key"];
    let claim: Claim | undefined;
    if (isApi && method === "POST" && typeof key === "string") {
      headers["Idempotency-Key"] = key;
      claim = idempotency.claim(scope, key, `${method} ${url.pathname}`, body);
      if (claim.kind === "replay") {
        headers["Idempotent-Replayed"] = "true";
        headers["Original-Request"] = claim.answer.requestId;
        return { ...claim.answer, isReplay: true };
      }
    }
    const signal = AbortSignal.any([closing.signal, clientGone]);
    const kept = (status: number, text: string) => ({ status, body: text, requestId: headers["Request-Id"] ?? "" });
    let result: Answer;
    try {
      // The latency is the PSP working: a client that gives up meanwhile still gets its request done.
      if (isApi) await sleep(latencyOf(settings), undefined, { signal: closing.signal });
      result = await route.handle({ params, body, query: url.searchParams, signal });
    } catch (error) {
      if (claim?.kind === "fresh") {
        const isKept = error instanceof GatewayError && error.isRecorded;
        if (isKept) claim.record(kept(error.status, JSON.stringify(error.body)));
        else claim.release();
      }
      throw error;
    }
    const text = JSON.stringify(result.body);
    if (claim?.kind === "fresh") claim.record(kept(result.status, text));
    return { status: result.status, body: text };
  }

  /** The scope of a valid secret key; 401 otherwise. */
  function authenticate(authorization: string | undefined): string {
    if (authorization === undefined) {
      throw new GatewayError(
        401,
        "invalid_request_error",
        "missing_api_key",
        "You did not provide an API key: send Authorization: Bearer sk_test_….",
      );
    }
    const key = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (key === undefined || !secretKeys.includes(key)) {
      throw new GatewayError(401, "invalid_request_error", "invalid_api_key", "Invalid API key provided.");
    }
    return `secret ${key}`;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const url = new URL(request.url ?? "/", "http://gateway");
    const headers: Record<string, string> = { "Request-Id": newId("req") };
    const clientGone = new AbortController();
    response.once("close", () => {
      if (!response.writableFinished) clientGone.abort();
    });
    // The span is named by the route's template (`/v1/payment_intents/:id/capture`), never by an id.
    const route = matchRoute(routes, request.method ?? "", url.pathname)?.route.path ?? "unmatched";
    await inHttpServerSpan(request, route, async () => {
      let status: number;
      let isReplay = false;
      try {
        const result = await answer(request, url, headers, clientGone.signal);
        status = result.status;
        isReplay = result.isReplay === true;
        sendJson(response, status, result.body, headers);
      } catch (error) {
        const failure =
          error instanceof GatewayError
            ? error
            : closing.signal.aborted
              ? new GatewayError(503, "api_error", "shutting_down", "The gateway is shutting down; retry.", {}, false)
              : new GatewayError(500, "api_error", "api_error", "An unexpected error occurred on the gateway.");
        if (!(error instanceof GatewayError) && !closing.signal.aborted) {
          log.error({ err: error, request_id: headers["Request-Id"] }, "request failed");
        }
        status = failure.status;
        sendJson(response, status, JSON.stringify(failure.body), headers);
      }
      log.info(
        {
          request_id: headers["Request-Id"],
          method: request.method,
          path: url.pathname,
          status,
          replayed: isReplay,
          client_gone: clientGone.signal.aborted,
          duration_ms: Math.round(performance.now() - startedAt),
        },
        "request",
      );
      return status;
    });
  }

  const server = createServer((request, response) => void handle(request, response));
  const prune = setInterval(() => {
    ledger.prune(Date.now());
    idempotency.prune(Date.now());
  }, 60_000);
  prune.unref();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    settings,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        clearInterval(prune);
        timers.stop();
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
