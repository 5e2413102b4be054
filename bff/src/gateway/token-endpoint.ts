import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { CallOptions, Logger } from "@marquee/mesh";
import { BadRequestSchema, RetryInfoSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import {
  IdentityService,
  type IssueClientTokenRequestSchema,
  type IssueClientTokenResponse,
} from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { headerReaderOf, type NodeRequest, type NodeResponse, respond } from "./node-http.js";
import type { RateLimiter } from "./rate-limit/rate-limiter.js";

/** Where partners ask for tokens. */
export const tokenEndpointPath = "/oauth2/token";

/** The part of identity's client the endpoint calls: IdentityService.IssueClientToken. */
export interface ClientTokenIssuer {
  issueClientToken(
    request: MessageInitShape<typeof IssueClientTokenRequestSchema>,
    options?: CallOptions,
  ): Promise<IssueClientTokenResponse>;
}

/** What the endpoint needs. */
export interface TokenEndpointOptions {
  /** Identity's IssueClientToken, through the BFF's mesh client of IdentityService. */
  readonly identity: ClientTokenIssuer;
  /** The longest the call to identity may take. */
  readonly timeoutMs: number;
  /**
   * The BFF's per-IP rate limits: each request counts as an IssueClientToken call from its client, so it
   * draws on the same buckets as that RPC called over Connect or gRPC (the per-IP default and the
   * `sign-in` bucket). Undefined: no limits (`RATE_LIMITS=off`).
   */
  readonly limiter?: Pick<RateLimiter, "checkClient">;
  readonly log: Logger;
}

/** The largest form accepted: a client id, a secret and every scope fit in well under a kilobyte. */
const maxBodyBytes = 8 * 1024;

/** The realm of the `WWW-Authenticate` challenge every 401 carries (RFC 7235 §3.1, RFC 7617). */
const basicChallenge = 'Basic realm="marquee", charset="UTF-8"';

/** An RFC 6749 §5.2 error answer. */
class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
  }
}

const invalidRequest = (description: string) => new TokenError(400, "invalid_request", description);
const invalidClient = (description: string) =>
  new TokenError(401, "invalid_client", description, { "www-authenticate": basicChallenge });
const invalidScope = (description: string) => new TokenError(400, "invalid_scope", description);

/**
 * The OAuth2 token endpoint for partners, `POST /oauth2/token`: the client-credentials grant (RFC 6749
 * §4.4) in front of identity's IssueClientToken, which checks the client and signs the token.
 *
 * - The request is a form (`application/x-www-form-urlencoded`, §4.4.2) with `grant_type=client_credentials`
 *   and an optional `scope` (space-separated, §3.3) narrowing the client's granted scopes.
 * - The client authenticates with HTTP Basic (§2.3.1: id and secret each form-encoded, then joined by
 *   ":" and base64-encoded) or with `client_id` and `client_secret` in the form — one of the two, never
 *   both (§2.3).
 * - A token is answered as §5.1 says: JSON `access_token`, `token_type` "Bearer", `expires_in`, `scope`,
 *   with `Cache-Control: no-store`. Errors are §5.2's JSON `error` and `error_description`: 400
 *   `invalid_request`, `unsupported_grant_type` or `invalid_scope`; 401 `invalid_client` with a Basic
 *   challenge (every 401 carries one, RFC 7235 §3.1); 405 for another method; 429 and 503 (with
 *   `temporarily_unavailable` and Retry-After) when the BFF's per-IP limits or identity's refuse, or
 *   identity is unreachable.
 *
 * Meant for partners' servers, not browsers: it sends no CORS headers, so no web page can read its
 * answers, and a client secret never belongs in a page anyway.
 */
export function createTokenEndpoint(options: TokenEndpointOptions): {
  /** Answers `/oauth2/token`; false for any other path. */
  handle(request: NodeRequest, response: NodeResponse): boolean;
} {
  const { identity, timeoutMs, limiter, log } = options;

  async function exchange(request: NodeRequest): Promise<Record<string, string | number>> {
    // First, as in the RPC pipeline: every request counts, however bad, so a flood of malformed ones or of
    // guessed secrets is shed before any parsing, and before identity sees it.
    try {
      await limiter?.checkClient(
        IdentityService.method.issueClientToken,
        request.socket.remoteAddress,
        headerReaderOf(request),
      );
    } catch (error) {
      throw tokenErrorOf(ConnectError.from(error), log);
    }
    if (request.method !== "POST") {
      throw new TokenError(405, "invalid_request", "the token endpoint takes POST only", { allow: "POST" });
    }
    const mediaType = String(request.headers["content-type"] ?? "")
      .split(";", 1)[0]
      ?.trim()
      .toLowerCase();
    if (mediaType !== "application/x-www-form-urlencoded") {
      throw invalidRequest("the body must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(await bodyOf(request));
    const param = (name: string): string | undefined => {
      const values = form.getAll(name);
      if (values.length > 1) throw invalidRequest(`the parameter ${name} is repeated`);
      // §3.2: a parameter sent without a value is treated as if it were omitted.
      return values[0] === "" ? undefined : values[0];
    };
    const grantType = param("grant_type");
    if (grantType === undefined) throw invalidRequest("grant_type is required");
    if (grantType !== "client_credentials") {
      throw new TokenError(400, "unsupported_grant_type", "the only grant served here is client_credentials");
    }
    const { clientId, clientSecret } = credentialsOf(request.headers.authorization, param);
    const scopes = scopesOf(param("scope"));

    let issued: IssueClientTokenResponse;
    try {
      issued = await identity.issueClientToken({ clientId, clientSecret, scopes }, { timeoutMs });
    } catch (error) {
      throw tokenErrorOf(ConnectError.from(error), log);
    }
    const tokens = issued.tokens;
    if (tokens === undefined) throw new Error("IssueClientToken answered without tokens");
    const expiresInSec = tokens.expireTime
      ? Math.max(0, Math.round((timestampMs(tokens.expireTime) - Date.now()) / 1000))
      : 0;
    return {
      access_token: tokens.accessToken,
      token_type: tokens.tokenType || "Bearer",
      expires_in: expiresInSec,
      scope: tokens.scope,
    };
  }

  return {
    handle(request, response) {
      if (request.url?.split("?", 1)[0] !== tokenEndpointPath) return false;
      exchange(request)
        .then(
          (token) => answer(response, 200, token),
          (error: unknown) => {
            if (error instanceof TokenError) {
              answer(response, error.status, { error: error.error, error_description: error.message }, error.headers);
              return;
            }
            log.error({ err: error }, "the token endpoint failed");
            answer(response, 500, { error: "server_error", error_description: "the token could not be issued" });
          },
        )
        // The caller may be gone by the time the answer is written; that must not become an unhandled rejection.
        .catch((error: unknown) => log.warn({ err: error }, "the token endpoint could not answer"));
      return true;
    },
  };
}

/**
 * The client's id and secret, from exactly one of HTTP Basic and the form (RFC 6749 §2.3.1). A form
 * `client_id` equal to Basic's is tolerated, as clients often send it along; anything else beside Basic
 * is two mechanisms, `invalid_request`.
 */
function credentialsOf(
  authorization: string | undefined,
  param: (name: string) => string | undefined,
): { clientId: string; clientSecret: string } {
  const formId = param("client_id");
  const formSecret = param("client_secret");
  if (authorization !== undefined) {
    const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization);
    if (match === null) {
      throw invalidClient(
        /^Basic( |$)/i.test(authorization)
          ? "the Basic credentials are malformed"
          : "authenticate the client with HTTP Basic or client_id and client_secret in the form",
      );
    }
    const decoded = Buffer.from(match[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const clientId = colon < 0 ? undefined : formDecoded(decoded.slice(0, colon));
    const clientSecret = colon < 0 ? undefined : formDecoded(decoded.slice(colon + 1));
    if (clientId === undefined || clientSecret === undefined || clientId === "" || clientSecret === "") {
      throw invalidClient("the Basic credentials are malformed: base64 of client_id:client_secret");
    }
    if (formSecret !== undefined || (formId !== undefined && formId !== clientId)) {
      throw invalidRequest("authenticate the client one way: HTTP Basic or the form, not both");
    }
    return { clientId, clientSecret };
  }
  if (formId === undefined || formSecret === undefined) {
    throw invalidClient("client authentication is required: HTTP Basic, or client_id and client_secret in the form");
  }
  return { clientId: formId, clientSecret: formSecret };
}

/** A Basic credential's part as RFC 6749 §2.3.1 encodes it (form encoding); undefined when malformed. */
function formDecoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** RFC 6749 §3.3's scope-token: printable ASCII but space, `"` and `\`. */
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The requested scopes; empty when `scope` is absent (the client's granted scopes). */
function scopesOf(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  const scopes = scope.split(" ").filter((token) => token !== "");
  if (!scopes.every((token) => scopeToken.test(token)))
    throw invalidScope("scope must be scope names separated by spaces");
  return [...new Set(scopes)];
}

/** Identity's refusal as the RFC's error, naming no secret. */
function tokenErrorOf(error: ConnectError, log: Logger): TokenError {
  switch (error.code) {
    case Code.Unauthenticated:
      return invalidClient("client authentication failed");
    case Code.PermissionDenied:
      return invalidScope(describe(error.rawMessage));
    case Code.InvalidArgument: {
      const violations = error.findDetails(BadRequestSchema).flatMap((detail) => detail.fieldViolations);
      const scope = violations.find((violation) => violation.field.startsWith("scopes"));
      if (scope !== undefined) return invalidScope(describe(`a requested scope ${scope.description}`));
      const first = violations[0];
      return invalidRequest(first ? describe(`${first.field} ${first.description}`) : "the request is malformed");
    }
    case Code.ResourceExhausted: {
      // The BFF's limit or identity's, one answer. RFC 6749 names no error for it: `slow_down` (RFC 8628
      // §3.5) tells a device-flow client polling for its grant to poll less often, which a client-credentials
      // client does not know to read, and `invalid_request` says the request itself is wrong, so a client
      // gives up. `temporarily_unavailable` (§4.1.2.1: "try again later") with 429 and Retry-After (RFC 6585
      // §4) is what a client reads as "the same request will work later", and when.
      const retryMs = error.findDetails(RetryInfoSchema)[0]?.retryDelay;
      const seconds = retryMs ? Math.max(1, Math.ceil(durationMs(retryMs) / 1000)) : 1;
      return new TokenError(429, "temporarily_unavailable", "too many token requests; retry later", {
        "retry-after": String(seconds),
      });
    }
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      log.warn({ err: error }, "identity did not answer the token endpoint");
      return new TokenError(503, "temporarily_unavailable", "tokens cannot be issued right now; retry shortly", {
        "retry-after": "1",
      });
    default:
      log.error({ err: error }, "identity failed the token endpoint's call");
      return new TokenError(500, "server_error", "the token could not be issued");
  }
}

/** `text` as an `error_description` may carry it (RFC 6749 §5.2: printable ASCII but `"` and `\`). */
function describe(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "?");
}

/** A JSON answer that no cache keeps (§5.1: `Cache-Control: no-store`, and `Pragma: no-cache` for HTTP/1.0). */
function answer(
  response: NodeResponse,
  status: number,
  body: Readonly<Record<string, string | number>>,
  headers: Readonly<Record<string, string>> = {},
): void {
  respond(
    response,
    status,
    { "content-type": "application/json;charset=UTF-8", "cache-control": "no-store", pragma: "no-cache", ...headers },
    JSON.stringify(body),
  );
}

/** The request body as text, refused past {@link maxBodyBytes}. */
async function bodyOf(request: NodeRequest): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Read on without keeping it, so the answer is not cut off by an unread request.
    if (size <= maxBodyBytes) chunks.push(chunk);
  }
  if (size > maxBodyBytes) throw new TokenError(413, "invalid_request", `the body exceeds ${maxBodyBytes} bytes`);
  return Buffer.concat(chunks).toString("utf8");
}
