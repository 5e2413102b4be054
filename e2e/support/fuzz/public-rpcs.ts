import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { type Audience, accessOf } from "@marquee/mesh";

/** What the fuzzer uses of the BFF's reading of the contract, `bff/src/gateway/contract.ts`. */
interface Contract {
  contractServices(): Promise<DescService[]>;
  isInternalMethod(method: DescMethod): boolean;
  isInternalService(service: DescService): boolean;
}

/**
 * The BFF's own contract module, imported by path at run time. e2e's tsconfig does not reference the bff
 * project, so a static import would compile bff's source as part of e2e (TS6059/TS6307, and `tsc -b`
 * emitting .js beside it); with `{ "path": "../bff" }` in e2e/tsconfig.json this becomes a plain import.
 */
const contractPath = "../../../bff/src/gateway/contract.js";

/** An RPC anyone may call through the BFF: every method of the contract whose access is not INTERNAL. */
export interface PublicRpc {
  readonly service: DescService;
  readonly method: DescMethod;
  /** `InventoryService.GetHold` */
  readonly name: string;
  /** `/marquee.inventory.v1.InventoryService/GetHold` */
  readonly path: string;
  readonly isStreaming: boolean;
  /** Whether a successful call may change state: any RPC not declared NO_SIDE_EFFECTS. */
  readonly isMutating: boolean;
  readonly audience: Audience;
}

/**
 * Every public RPC of the contract, read from the same descriptors the BFF serves (`contractServices`), so
 * an RPC or a service added to the protos is fuzzed without a line written for it.
 */
export async function publicRpcs(): Promise<PublicRpc[]> {
  const { contractServices, isInternalMethod, isInternalService }: Contract = await import(contractPath);
  const rpcs: PublicRpc[] = [];
  for (const service of await contractServices()) {
    if (isInternalService(service)) continue;
    for (const method of service.methods) {
      if (isInternalMethod(method)) continue;
      rpcs.push({
        service,
        method,
        name: `${service.name}.${method.name}`,
        path: `/${service.typeName}/${method.name}`,
        isStreaming: method.methodKind === "server_streaming",
        isMutating: method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS,
        audience: accessOf(method).audience,
      });
    }
  }
  return rpcs;
}
