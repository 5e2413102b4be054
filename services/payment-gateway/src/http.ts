import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError, invalidRequest } from "./errors.js";
import type { Body } from "./params.js";

/** Bodies are small JSON objects; anything larger is refused before it is buffered. */
const maxBodyBytes = 64 * 1024;

/** Reads and parses a JSON object body; an empty body is `{}`. */
export async function readJsonBody(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      throw new GatewayError(
        413,
        "invalid_request_error",
        "body_too_large",
        `Request bodies are at most ${maxBodyBytes} bytes.`,
      );
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest("invalid_json", "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest("invalid_json", "The request body must be a JSON object.");
  }
  return parsed as Body;
}

/** Writes a JSON answer unless the client is gone. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
    "Cache-Control": "no-store",
  });
  response.end(body);
}
