import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImplementation } from "../server.js";
import type { AnyRpc } from "./rpc.js";

/** A manifest's RPC table, checked against the services it serves: builds their implementations. */
export type RpcTable<D> = (deps: D) => ServiceImplementation[];

/**
 * Checks that every method of every served service has exactly one entry, with rules, and that no entry
 * names a method of a service not served; throws naming each method that fails, before anything starts.
 * Returns the table, which builds each service's handlers and validators from the composed dependencies.
 */
export function rpcTableOf<D>(
  serviceName: string,
  services: readonly DescService[],
  rpcs: readonly AnyRpc<D>[],
): RpcTable<D> {
  const byMethod = new Map<string, AnyRpc<D>>();
  const problems: string[] = [];
  const served = new Set(services.map((service) => service.typeName));
  for (const rpc of rpcs) {
    const name = `${rpc.method.parent.typeName}.${rpc.method.name}`;
    if (!served.has(rpc.method.parent.typeName)) problems.push(`${name} has an entry but its service is not served`);
    else if (byMethod.has(name)) problems.push(`${name} has two entries`);
    else byMethod.set(name, rpc);
  }
  for (const service of services) {
    for (const method of service.methods) {
      const rpc = byMethod.get(`${service.typeName}.${method.name}`);
      if (rpc === undefined) problems.push(`${service.typeName}.${method.name} has no entry in the RPC table`);
      else if (typeof rpc.validator?.validate !== "function" || rpc.validator.schema !== method.input) {
        problems.push(`${service.typeName}.${method.name} declares no request rules`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`${serviceName}: ${problems.join("; ")}`);

  return (deps) =>
    services.map((service) => {
      const handlers: Record<string, unknown> = {};
      const validators = [];
      for (const method of service.methods) {
        const rpc = byMethod.get(`${service.typeName}.${method.name}`) as AnyRpc<D>;
        handlers[method.localName] = rpc.handler(deps);
        validators.push(rpc.validator);
      }
      return { service, handlers, validators } as ServiceImplementation;
    });
}
