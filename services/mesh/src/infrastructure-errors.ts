import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The one table from infrastructure failures to status codes. Anything the table does not
 * know becomes INTERNAL with a generic message; the cause stays on the error for the log, never on the wire.
 */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const code = codeOf(error);
  const message = code === Code.Internal ? "internal error" : messageFor(code);
  return new ConnectError(message, code, undefined, undefined, error);
}

/** PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const postgres: ReadonlyArray<[RegExp, Code]> = [
  // unique_violation: a duplicate create. Stores that know better (a sold seat) map it first.
  [/^23505$/, Code.AlreadyExists],
  // serialization_failure, deadlock_detected: the transaction lost a race and may be retried.
  [/^40001$|^40P01$/, Code.Aborted],
  // connection_exception class, admin/crash shutdown, cannot_connect_now, too_many_connections.
  [/^08...$|^57P0[1-3]$|^53300$/, Code.Unavailable],
  // query_canceled (statement_timeout).
  [/^57014$/, Code.DeadlineExceeded],
];

/** Socket errors: the peer is down or unreachable, so the call may succeed later. */
const network = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

function codeOf(error: unknown): Code {
  if (!(error instanceof Error)) return Code.Internal;
  const record = error as Error & { code?: unknown; sqlState?: unknown; errno?: unknown };
  const sqlState = typeof record.sqlState === "string" ? record.sqlState : record.code;
  if (typeof sqlState === "string" && /^[0-9A-Z]{5}$/.test(sqlState)) {
    for (const [pattern, code] of postgres) if (pattern.test(sqlState)) return code;
  }
  if (typeof record.code === "string" && network.has(record.code)) return Code.Unavailable;
  // ioredis: the connection dropped, or commands gave up while reconnecting.
  if (
    error.name === "MaxRetriesPerRequestError" ||
    /^Connection is closed|^Stream isn't writeable/.test(error.message)
  ) {
    return Code.Unavailable;
  }
  // A driver error may wrap the socket error (MikroORM's exceptions keep it as `cause`).
  if (error.cause !== undefined && error.cause !== error) return codeOf(error.cause);
  return Code.Internal;
}

function messageFor(code: Code): string {
  switch (code) {
    case Code.AlreadyExists:
      return "already exists";
    case Code.Aborted:
      return "conflict with a concurrent change, retry";
    case Code.Unavailable:
      return "a dependency is unavailable, retry later";
    case Code.DeadlineExceeded:
      return "the operation timed out";
    default:
      return "internal error";
  }
}
