import { type DescMethod, getOption, hasOption } from "@bufbuild/protobuf";
import { type Access, Audience, access } from "@marquee/proto/marquee/api/v1/access_pb.js";
import { permissionDenied, unauthenticated } from "./errors.js";
import { hasRole, type Principal, type Role } from "./principal.js";

export { Audience };

/**
 * Third-party services every server and the BFF answer for anyone: probes and grpcurl must work without a
 * token, and neither reveals more than the public contract.
 */
const publicInfrastructure = /^grpc\.(health\.v1\.Health|reflection\.v1(alpha)?\.ServerReflection)$/;

/**
 * The `marquee.api.v1.access` option of a method. A Marquee RPC without it is a contract defect: servers
 * refuse to start with one (the contract test catches it before).
 */
export function accessOf(method: DescMethod): MethodAccess {
  // Read once per method: reading an option decodes it from the descriptor, on every call otherwise.
  let known = accessByMethod.get(method);
  if (known === undefined) {
    known = readAccess(method);
    accessByMethod.set(method, known);
  }
  return known;
}

/** Who may call a method: its audience and the partner scopes that may call it instead. */
export type MethodAccess = Pick<Access, "audience" | "partnerScopes">;

const accessByMethod = new WeakMap<DescMethod, MethodAccess>();

function readAccess(method: DescMethod): MethodAccess {
  if (publicInfrastructure.test(method.parent.typeName)) return { audience: Audience.PUBLIC, partnerScopes: [] };
  if (!hasOption(method, access) || getOption(method, access).audience === Audience.UNSPECIFIED) {
    throw new Error(`${method.parent.typeName}.${method.name} declares no (marquee.api.v1.access) audience`);
  }
  const { audience, partnerScopes } = getOption(method, access);
  return { audience, partnerScopes };
}

const roleOf: Partial<Record<Audience, Role>> = {
  [Audience.CUSTOMER]: "customer",
  [Audience.ORGANIZER]: "organizer",
  [Audience.ADMIN]: "admin",
};

/**
 * Throws unless `principal` may call `method`: anonymous callers reach PUBLIC RPCs only
 * (UNAUTHENTICATED otherwise); users need the audience's role (admin ⊃ organizer ⊃ customer); partners one
 * of the RPC's partner scopes; Marquee services INTERNAL and PUBLIC RPCs — a service acting for a user
 * forwards the user's token instead. Anything else is PERMISSION_DENIED.
 */
export function authorize(method: DescMethod, principal: Principal | undefined): void {
  const { audience, partnerScopes } = accessOf(method);
  if (audience === Audience.PUBLIC) return;
  if (principal === undefined) throw unauthenticated(`${method.name} requires sign-in`);
  if (audience === Audience.INTERNAL) {
    if (principal.kind === "service") return;
    throw permissionDenied(`${method.name} is internal`);
  }
  if (principal.kind === "partner") {
    if (principal.scopes.some((scope) => partnerScopes.includes(scope))) return;
    throw permissionDenied(
      `${method.name} needs one of the scopes: ${partnerScopes.join(", ") || "(none for partners)"}`,
    );
  }
  const role = roleOf[audience];
  if (principal.kind === "user" && role !== undefined && hasRole(principal, role)) return;
  throw permissionDenied(`${method.name} needs the ${role ?? "user"} role`);
}
