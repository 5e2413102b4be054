import { join } from "node:path";
import { fixedPorts, services } from "@marquee/scripts/ports";
import { findPids, type ProcessGroup, withDescendants } from "../support/process-cpu.js";

/**
 * The Node processes of the stack, each one program found by its entry file and its port: the BFF, every
 * service of the launcher's list (so a new service is measured without an edit here) and the gateway.
 */
export const nodeProcesses: readonly { readonly name: string; readonly entry: string; readonly port: number }[] = [
  { name: "bff", entry: "bff/src/server.ts", port: fixedPorts.bff },
  ...services.map((service) => ({
    name: service.name,
    entry: `services/${service.name}/src/server.ts`,
    port: service.ports.grpc,
  })),
  { name: "payment-gateway", entry: "services/payment-gateway/src/main.ts", port: fixedPorts.paymentGateway },
];

/** Every process whose CPU is reported, in report order. */
export const processNames = [...nodeProcesses.map((p) => p.name), "postgres", "redis", "bench"] as const;

/**
 * The processes of this stack, told apart from other stacks on the machine by their ports (`PORT` in their
 * environment) and data directory. Node processes and Redis are followed thread by thread.
 */
export function processGroups(offset: number, dataDir: string): ProcessGroup[] {
  const one = (name: string, parts: string[], env?: string): ProcessGroup => {
    const pids = findPids(parts, env);
    if (pids.length !== 1) throw new Error(`expected one ${name} process of this stack, found ${pids.length}`);
    return { name, pids: () => pids, isThreaded: true };
  };
  const [postmaster] = findPids(["postgres", "-D", join(dataDir, "postgres")]);
  if (postmaster === undefined) throw new Error("found no PostgreSQL of this stack");
  return [
    ...nodeProcesses.map((p) => one(p.name, [p.entry], `PORT=${p.port + offset}`)),
    { name: "postgres", pids: () => withDescendants(postmaster) },
    one("redis", ["redis-server", `:${fixedPorts.redis + offset}`]),
    { name: "bench", pids: () => [process.pid], isThreaded: true },
  ];
}
