import { fromBinary } from "@bufbuild/protobuf";
import { BadRequestSchema } from "@marquee/proto/google/rpc/error_details_pb.js";

/** The answer to a Connect unary call: the HTTP status and the body, parsed when it is JSON. */
export interface JsonAnswer {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
}

/**
 * A Connect unary call as a browser's plain `fetch` makes it: POST of a JSON body to `<base>/<rpc>`, no client
 * library. A string body is sent as is (for malformed bodies), anything else as JSON.
 */
export async function postJson(
  baseUrl: string,
  rpc: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<JsonAnswer> {
  const response = await fetch(`${baseUrl}/${rpc}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.startsWith("application/json") === true && text !== "";
  return { status: response.status, json: isJson ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/**
 * The fields named by the `google.rpc.BadRequest` details of a Connect JSON error. Connect sends each detail as
 * `{ type, value }`, `value` being the message's binary encoding in base64, so a browser decodes it like this.
 */
export function badRequestFields(error: Record<string, unknown> | undefined): string[] {
  const details = (error?.details ?? []) as ReadonlyArray<{ readonly type: string; readonly value: string }>;
  return details
    .filter((detail) => detail.type === BadRequestSchema.typeName)
    .flatMap((detail) => fromBinary(BadRequestSchema, Buffer.from(detail.value, "base64")).fieldViolations)
    .map((violation) => violation.field);
}
