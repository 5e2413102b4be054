import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "../errors.js";
import type { ServiceHandlers } from "../handlers.js";

/**
 * A handler per method of `service` answering UNIMPLEMENTED, for a stub upstream that serves a few of
 * them: `implement(CatalogService, { ...unimplemented(CatalogService), async getEvent(request) {…} })`.
 */
export function unimplemented<S extends DescService>(service: S): ServiceHandlers<S> {
  const handlers: Record<string, () => Promise<never>> = {};
  for (const method of service.methods) {
    handlers[method.localName] = async () => {
      throw new ConnectError(`${method.name} is not stubbed`, Code.Unimplemented);
    };
  }
  return handlers as unknown as ServiceHandlers<S>;
}
