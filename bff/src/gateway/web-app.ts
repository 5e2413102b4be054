import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import type { Logger } from "@marquee/mesh";
import { type NodeRequest, type NodeResponse, respond } from "./node-http.js";

/** What the web app learns at run time (`/web-config.json`), so one build serves every deployment. */
export interface WebAppConfig {
  /** Where the browser tokenizes cards: the payment gateway's public URL. */
  readonly paymentGatewayUrl: string;
  /** The social providers identity offers, e.g. ["google"]. */
  readonly socialProviders: readonly string[];
}

export interface WebAppOptions {
  /** The built app (`web/dist/app`): index.html and its hashed assets. */
  readonly dir: string;
  readonly config: WebAppConfig;
  readonly log: Logger;
}

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The browser's protections for every page and asset: scripts and connections only from this origin
 * (and the card tokenization at the gateway), no framing (clickjacking), no MIME sniffing, no referrer
 * beyond the origin. Inline styles are allowed for the seat map's computed sizes; inline scripts never.
 */
function securityHeaders(config: WebAppConfig): Record<string, string> {
  const gateway = config.paymentGatewayUrl ? new URL(config.paymentGatewayUrl).origin : "";
  return {
    "content-security-policy": [
      "default-src 'self'",
      `connect-src 'self' ${gateway}`.trim(),
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  };
}

/**
 * Whether a GET is the app's: not an RPC (`/marquee.catalog.v1.CatalogService/GetEvent`, whose first
 * segment is a package-qualified name, dots and all) and not `/.well-known/…`, which other steps answer;
 * a file of the build's root (`/favicon.ico`) has one dot and is the app's.
 */
function isAppPath(path: string): boolean {
  const first = path.split("/")[1] ?? "";
  return !first.includes(".") || /^[\w-]+\.\w+$/.test(first);
}

/** The request's path with its escapes decoded; undefined for a malformed one (`/%E0%A4%A`). */
function decodedPath(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url, "http://bff").pathname);
  } catch {
    return undefined;
  }
}

/**
 * Serves the web app beside the RPCs on the BFF's one port: its files, `/web-config.json`, and
 * index.html for any other page path (`/events/…`, `/orders/…`), so links into the app work. RPC paths
 * (`/<package>.<Service>/<Method>`) never reach it: their first segment has a dot, which no page has.
 *
 * Hashed assets (`/assets/index-3f2a….js`) are cached for a year, since a new build has new names;
 * index.html is revalidated every time, so a deploy reaches every browser on its next page load.
 * Returns a step for the request handler: true when it answered the request.
 */
export function createWebApp(options: WebAppOptions): (request: NodeRequest, response: NodeResponse) => boolean {
  const root = normalize(options.dir);
  const headers = securityHeaders(options.config);
  const configBody = JSON.stringify(options.config);
  let index: Promise<string> | undefined;
  const indexHtml = () => {
    index ??= readFile(join(root, "index.html"), "utf8").catch((error: unknown) => {
      index = undefined;
      throw error;
    });
    return index;
  };

  const sendFile = async (path: string, response: NodeResponse, isHead: boolean) => {
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    const sink = response as ServerResponse;
    sink.writeHead(200, {
      ...headers,
      "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
      "content-length": String(info.size),
      "cache-control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (isHead) sink.end();
    else createReadStream(file).pipe(sink);
    return true;
  };

  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const path = decodedPath(request.url ?? "/");
    if (path === undefined) {
      respond(response, 400, { "content-type": "text/plain; charset=utf-8" }, "malformed path\n");
      return true;
    }
    if (!isAppPath(path)) return false;
    if (path === "/web-config.json") {
      respond(
        response,
        200,
        { ...headers, "content-type": "application/json", "cache-control": "no-cache" },
        configBody,
      );
      return true;
    }
    const isHead = request.method === "HEAD";
    void (async () => {
      try {
        if (path !== "/" && (await sendFile(path, response, isHead))) return;
        if (extname(path) !== "" && path !== "/") {
          respond(response, 404, { ...headers, "content-type": "text/plain; charset=utf-8" }, "not found\n");
          return;
        }
        const html = await indexHtml();
        respond(
          response,
          200,
          { ...headers, "content-type": contentTypes[".html"] ?? "", "cache-control": "no-cache" },
          isHead ? undefined : html,
        );
      } catch (error) {
        options.log.error({ err: error, path }, "the web app could not be served");
        if (!response.headersSent)
          respond(response, 503, { "content-type": "text/plain; charset=utf-8" }, "the web app is not built\n");
      }
    })();
    return true;
  };
}
