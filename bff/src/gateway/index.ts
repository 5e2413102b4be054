/**
 * The BFF's gateway: one port serving the public services of the contract over Connect, gRPC-Web and
 * gRPC, forwarded generically to the mesh. `src/server.ts` wires it from the environment.
 */
export { peerAddressKey } from "./call-values.js";
export { addressVariableOf, contractServices, isInternalMethod, isInternalService } from "./contract.js";
export { parseRateLimit, type RateLimit, rateLimitSetting } from "./rate-limit/rate-limit.js";
export type { RateLimitOptions, RateLimitRule, RateLimitScope } from "./rate-limit/rate-limiter.js";
export { type Gateway, type GatewayOptions, startGateway } from "./start-gateway.js";
export type { UpstreamClientOptions } from "./upstreams.js";
