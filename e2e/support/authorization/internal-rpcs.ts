import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { contractServices, isInternalMethod } from "@marquee/bff";
import { contentTypeOf, envelope, type Protocol, protocolHeadersOf, type WireRequest } from "../fuzz/index.js";

/** An RPC of the contract only Marquee services may call, which the BFF must never route. */
export interface InternalRpc {
  readonly service: DescService;
  readonly method: DescMethod;
  /** `CatalogInternalService.GetHoldPolicy` */
  readonly name: string;
  /** `/marquee.catalog.v1.CatalogInternalService/GetHoldPolicy` */
  readonly path: string;
  readonly isStreaming: boolean;
}

/** Every INTERNAL RPC of the contract, read from the descriptors the BFF reads (`contractServices`). */
export async function internalRpcs(): Promise<InternalRpc[]> {
  return (await contractServices()).flatMap((service) =>
    service.methods.filter(isInternalMethod).map((method) => ({
      service,
      method,
      name: `${service.name}.${method.name}`,
      path: `/${service.typeName}/${method.name}`,
      isStreaming: method.methodKind === "server_streaming",
    })),
  );
}

/**
 * A well-formed call of `rpc` (any RPC, public or internal) with an empty request message over `protocol`,
 * as a correct client of that protocol frames it, with `token` as its bearer when given.
 */
export function emptyCall(
  protocol: Protocol,
  rpc: { readonly path: string; readonly isStreaming: boolean },
  token: string | undefined,
): WireRequest {
  const message = new TextEncoder().encode(protocol === "connect-json" ? "{}" : "");
  const isEnveloped = protocol === "grpc" || protocol === "grpc-web" || rpc.isStreaming;
  return {
    protocol,
    path: rpc.path,
    isStreaming: rpc.isStreaming,
    headers: {
      "content-type": contentTypeOf(protocol, rpc.isStreaming),
      ...protocolHeadersOf(protocol),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: isEnveloped ? envelope(0, message) : message,
  };
}
