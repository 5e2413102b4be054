/** A role a Marquee user may hold. Audiences nest: admin ⊃ organizer ⊃ customer. */
export type Role = "customer" | "organizer" | "admin";

/**
 * Who is calling, as proven by a verified bearer token. Handlers read it from the call context; it is
 * never taken from a request field.
 */
export interface Principal {
  /**
   * The token's `sub`: a user id, `client:<id>` for a partner, or `svc:<name>` for a Marquee service. User
   * and client ids are UUIDs in canonical lower-case form (the verifier refuses any other), so a subject
   * compares, keys and owns as is.
   */
  readonly subject: string;
  /** What kind of caller the subject is. */
  readonly kind: "user" | "partner" | "service";
  /** Roles of a user; empty for partners and services. */
  readonly roles: readonly Role[];
  /** OAuth2 scopes of a partner token; empty for users and services. */
  readonly scopes: readonly string[];
  /** The verified token itself, forwarded unchanged when this call calls another service. */
  readonly token: string;
  /** When the token expires, in epoch milliseconds. */
  readonly expiresAtMs: number;
  /**
   * How a user signed in: the token's `amr` claim (RFC 8176), `["pwd"]` after a password, `["pwd", "otp"]`
   * after a password and a second factor (identity's CompleteLogin). Empty or absent for partners,
   * services and tokens that state no method. See {@link hasSecondFactor}.
   */
  readonly amr?: readonly string[];
}

/**
 * The id the caller acts as — a user's id, `client:<id>` for a partner, `svc:<name>` for a service — which
 * owns what it creates and holds. For RPCs whose audience guarantees a signed-in caller; throws (a bug,
 * answered INTERNAL) when one ran without a principal.
 */
export function callerIdOf(call: { readonly principal?: Principal | undefined }): string {
  if (call.principal === undefined) throw new Error("an RPC for signed-in callers ran without a principal");
  return call.principal.subject;
}

/** Whether the principal holds the role, counting the nesting admin ⊃ organizer ⊃ customer. */
export function hasRole(principal: Principal, role: Role): boolean {
  const rank: Record<Role, number> = { customer: 1, organizer: 2, admin: 3 };
  return principal.roles.some((held) => rank[held] >= rank[role]);
}

/**
 * Whether the principal's token comes from a sign-in with a second factor (`amr` holds `otp`): what
 * high-risk actions ask for, through `requireSecondFactor`.
 */
export function hasSecondFactor(principal: Principal | undefined): boolean {
  return principal?.kind === "user" && (principal.amr ?? []).includes("otp");
}
