import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { fixedPorts, serviceNamed, services } from "../src/ports.js";
import { repoRoot } from "../src/stack.js";

describe("the stack's services (scripts/src/ports.ts)", () => {
  it("gives every process its own ports: no two services, nor the BFF or the stores, share one", () => {
    const ports = [
      ...services.flatMap((service) => [service.ports.grpc, service.ports.metrics]),
      ...Object.values(fixedPorts),
    ];
    expect(new Set(ports).size, JSON.stringify(ports)).to.equal(ports.length);
  });

  it("starts each service after the upstreams it calls, unless they call it back", () => {
    const names = services.map((service) => service.name);
    for (const [index, service] of services.entries()) {
      for (const upstream of Object.keys(service.upstreams)) {
        const callsBack = service.name in serviceNamed(upstream).upstreams;
        if (!callsBack) expect(names.indexOf(upstream), `${service.name} calls ${upstream}`).to.be.below(index);
      }
    }
  });

  it("lists every folder under services/ that has a manifest, and only those", () => {
    const servers = readdirSync(join(repoRoot, "services")).filter((name) =>
      existsSync(join(repoRoot, "services", name, "src", "manifest.ts")),
    );
    expect(services.map((service) => service.name).sort()).to.deep.equal(servers.sort());
  });
});
