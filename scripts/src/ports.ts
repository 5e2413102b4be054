import { catalog } from "@marquee/catalog/manifest";
import { identity } from "@marquee/identity/manifest";
import { inventory } from "@marquee/inventory/manifest";
import type { ServiceDeclaration } from "@marquee/mesh";
import { notification } from "@marquee/notification/manifest";
import { ordering } from "@marquee/ordering/manifest";
import { payment } from "@marquee/payment/manifest";
import { search } from "@marquee/search/manifest";

/**
 * The services of the stack, as their manifests declare them — name, ports, upstreams — in start order
 * (each after its upstreams). The launcher, the benchmarks and the chart read this list; a new service adds
 * its manifest here and nothing else. `MARQUEE_PORT_OFFSET` shifts every port, so a test can start a second
 * stack beside a developer's.
 */
export const services: readonly ServiceDeclaration[] = inStartOrder([
  identity,
  catalog,
  inventory,
  payment,
  ordering,
  notification,
  search,
]);

/**
 * Everything else the launcher runs. The BFF is the one port a browser or a partner needs; the payment
 * gateway simulator stands where a PSP's API would be (the browser tokenizes cards there), and sends its
 * webhooks to the payment service's endpoint (its `WEBHOOK_PORT`); the development OpenID provider plays
 * Google for social sign-in; every mail goes to the local SMTP sink; `npm start` serves the web app with hot
 * reload from Vite's development server, beside the built copy the BFF serves.
 */
export const fixedPorts = {
  bff: 8080,
  bffMetrics: 9480,
  postgres: 5433,
  redis: 6380,
  paymentGateway: 8090,
  paymentWebhooks: 8091,
  devOidcProvider: 8092,
  mailSink: 1025,
  webDevServer: 5173,
} as const;

/** The manifest of a service of the stack; throws naming it when there is none. */
export function serviceNamed(name: string): ServiceDeclaration {
  const found = services.find((service) => service.name === name);
  if (found === undefined) throw new Error(`the stack has no service ${name}`);
  return found;
}

/**
 * Services ordered so that each comes after its upstreams, as far as that goes: a cycle (catalog asks
 * inventory to close an event's sales, inventory reads catalog's seat maps) is broken at the edge that
 * closes it, which is safe because mesh clients connect lazily and retry. Throws on an unknown upstream.
 */
function inStartOrder(declared: readonly ServiceDeclaration[]): ServiceDeclaration[] {
  const byName = new Map(declared.map((service) => [service.name, service]));
  const ordered: ServiceDeclaration[] = [];
  const visiting = new Set<string>();
  const visit = (service: ServiceDeclaration) => {
    if (ordered.includes(service) || visiting.has(service.name)) return;
    visiting.add(service.name);
    for (const upstream of Object.keys(service.upstreams)) {
      const next = byName.get(upstream);
      if (next === undefined) throw new Error(`${service.name} calls ${upstream}, which the stack does not run`);
      visit(next);
    }
    ordered.push(service);
  };
  for (const service of declared) visit(service);
  return ordered;
}
