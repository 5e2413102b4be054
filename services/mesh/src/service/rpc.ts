import type { DescMethod, MessageShape } from "@bufbuild/protobuf";
import type { HandlerOf } from "../handlers.js";
import type { RequestLimits } from "../request-bounds.js";
import { Checker, type RequestValidator } from "../validate.js";

/**
 * One RPC of a service, as its file in `src/rpc/` exports it: the proto method, the rules its request
 * must pass (checked by the server before the handler runs) and the handler, built from what the
 * service's manifest composes (`D`: the database, the domain object, whatever the handler needs).
 *
 * ```ts
 * // services/catalog/src/rpc/get-event.ts: CatalogService.GetEvent
 * export const getEvent = defineRpc(CatalogService.method.getEvent, {
 *   rules(request, check) {
 *     check.id("event_id", request.eventId);
 *   },
 *   handler(orm: Database) {
 *     return async (request, call) => ({ event: await readEvent(orm, request.eventId) });
 *   },
 * });
 * ```
 */
export interface RpcEntry<M extends DescMethod, D> {
  readonly method: M;
  readonly validator: RequestValidator<M["input"]>;
  handler(deps: D): HandlerOf<M>;
}

/**
 * Any service's RPC entry whose handler is built from `D`, as a manifest's table holds them (the method's
 * own types were checked where the entry was defined).
 */
export interface AnyRpc<D> {
  readonly method: DescMethod;
  readonly validator: RequestValidator;
  handler(deps: D): unknown;
}

/** What `defineRpc` takes: the request's rules and the handler factory. */
export interface RpcSpec<M extends DescMethod, D> {
  /**
   * Every rule of the request message, reported all at once as a BadRequest. Required, even when a
   * request has nothing to check (write an empty body and say why): the server refuses to start with an
   * RPC whose rules were forgotten.
   */
  rules(request: MessageShape<M["input"]>, check: Checker): void;
  /**
   * Fields allowed beyond the default bounds every request has (1,000 characters a string, 1,000 items a
   * list: see `defaultLimits`), by path in proto names: `{ "event.description": 10_000 }`. The server
   * checks the bounds before the rules, so rules never see a megabyte string or a million items.
   */
  readonly limits?: RequestLimits;
  /** Builds the handler from the service's composed dependencies. */
  handler(deps: D): HandlerOf<M>;
}

/** Declares one RPC: its method, its request rules and its handler. */
export function defineRpc<M extends DescMethod, D>(method: M, spec: RpcSpec<M, D>): RpcEntry<M, D> {
  if (typeof spec.rules !== "function") {
    throw new Error(`${method.parent.typeName}.${method.name} declares no request rules`);
  }
  return {
    method,
    validator: {
      schema: method.input,
      limits: spec.limits,
      validate(request) {
        const check = new Checker();
        spec.rules(request, check);
        return check.violations;
      },
    },
    handler: (deps) => spec.handler(deps),
  };
}
