import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative } from "node:path";
import type { DescFile, DescMethod, DescService } from "@bufbuild/protobuf";
import { Audience, accessOf } from "@marquee/mesh";

/**
 * Every service of the Marquee contract (`@marquee/proto/marquee/**`), in a stable order: found by listing
 * the generated package and importing each `*_pb` file as any consumer would, so a service added to the
 * protos is served without touching the BFF.
 */
export async function contractServices(): Promise<DescService[]> {
  // Any file of the package locates its generated root; `marquee/api/v1/access.proto` always exists.
  // (`require.resolve` rather than `import.meta.resolve`, which tsx lacks when mocha loads tests as CJS.)
  const anchor = createRequire(import.meta.url).resolve("@marquee/proto/marquee/api/v1/access_pb.js");
  const genRoot = dirname(dirname(dirname(dirname(anchor))));
  const paths = readdirSync(`${genRoot}/marquee`, { recursive: true, encoding: "utf8" })
    .filter((path) => /_pb\.ts$/.test(path))
    .map((path) => relative(genRoot, `${genRoot}/marquee/${path}`).replace(/\.ts$/, ".js"))
    .sort();
  const services: DescService[] = [];
  for (const path of paths) {
    const module: Record<string, unknown> = await import(`@marquee/proto/${path}`);
    for (const [name, value] of Object.entries(module)) {
      if (name.startsWith("file_")) services.push(...(value as DescFile).services);
    }
  }
  return services.sort((a, b) => a.typeName.localeCompare(b.typeName));
}

/** Whether a method is for Marquee services only: never routed by the BFF. */
export function isInternalMethod(method: DescMethod): boolean {
  return accessOf(method).audience === Audience.INTERNAL;
}

/**
 * Whether a service is internal: all of its RPCs are INTERNAL (the contract keeps internal RPCs in
 * services of their own, `*InternalService` and PaymentService). The BFF neither routes nor lists it.
 */
export function isInternalService(service: DescService): boolean {
  return service.methods.length > 0 && service.methods.every(isInternalMethod);
}

/**
 * `CATALOG_ADDR` for a service of `marquee.catalog.v1`: the variable naming the upstream that serves it.
 * One process serves one domain, so every service of a package shares the variable.
 */
export function addressVariableOf(service: DescService): string {
  const domain = service.file.proto.package.split(".")[1];
  if (domain === undefined || domain === "")
    throw new Error(`${service.typeName} is not in a marquee.<domain> package`);
  return `${domain.toUpperCase()}_ADDR`;
}
