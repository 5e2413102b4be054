import type { DescMessage, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { CallContext } from "./context.js";

/**
 * The handler of one RPC, typed from its descriptor: a unary RPC returns its response, a server-streaming
 * one yields its responses, a bidi one (only reflection uses it) maps a stream to a stream.
 */
export type HandlerOf<M> = M extends {
  methodKind: infer Kind;
  input: infer I extends DescMessage;
  output: infer O extends DescMessage;
}
  ? Kind extends "unary"
    ? (request: MessageShape<I>, call: CallContext) => Promise<MessageInitShape<O>>
    : Kind extends "server_streaming"
      ? (request: MessageShape<I>, call: CallContext) => AsyncIterable<MessageInitShape<O>>
      : Kind extends "bidi_streaming"
        ? (requests: AsyncIterable<MessageShape<I>>, call: CallContext) => AsyncIterable<MessageInitShape<O>>
        : never
  : never;

/**
 * One handler per RPC of a service, keyed by the RPC's local name (`holdSeats` for `HoldSeats`): a
 * service's `src/rpc/index.ts` exports one of these, one line per RPC.
 */
export type ServiceHandlers<S extends DescService> =
  S extends GenService<infer Methods extends GenServiceMethods>
    ? { [K in keyof Methods]: HandlerOf<Methods[K]> }
    : Record<string, (request: never, call: CallContext) => unknown>;
