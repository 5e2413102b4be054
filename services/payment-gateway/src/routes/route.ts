import type { Body } from "../params.js";

/**
 * Who may call a route: `browser` (no key; CORS for the allowed origins), `secret` (the secret key; faults,
 * latency and idempotency apply) or `admin` (the secret key; test-only, exempt from faults and idempotency).
 */
export type Access = "browser" | "secret" | "admin";

export interface RouteRequest {
  /** The `:name` segments of the path. */
  params: Record<string, string>;
  body: Body;
  query: URLSearchParams;
  /** Aborted when the client goes away or the gateway closes. */
  signal: AbortSignal;
}

/** A successful answer; errors are thrown as GatewayError. */
export interface Answer {
  status: number;
  body: unknown;
}

export interface Route {
  method: "GET" | "POST";
  /** A path with `:name` placeholders, e.g. `/v1/payment_intents/:id/capture`. */
  path: string;
  access: Access;
  handle(request: RouteRequest): Answer | Promise<Answer>;
}

/** The route for a method and path, with its parameters; undefined when none matches. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = pathname.split("/");
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split("/");
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const isMatch = pattern.every((part, i) => {
      const segment = segments[i] ?? "";
      if (part.startsWith(":")) {
        params[part.slice(1)] = decodeURIComponent(segment);
        return segment !== "";
      }
      return part === segment;
    });
    if (isMatch) return { route, params };
  }
  return undefined;
}

/** Whether any route serves the path, with whatever method. */
export function isKnownPath(routes: readonly Route[], pathname: string): boolean {
  return ["GET", "POST"].some((method) => matchRoute(routes, method, pathname) !== undefined);
}
