/**
 * The scopes a partner client may be granted, as PartnerClient documents them: each names what the RPCs
 * whose `marquee.api.v1.access` option lists it let a partner do (the mesh's `authorize` lets a partner
 * token through exactly where one of its scopes is listed). A scope that no RPC lists would grant
 * nothing, and a typo would be found only by the partner: both are refused. The list is checked against
 * the contract's access options by test/domain/partner-scopes.test.ts.
 */
export const partnerScopes = [
  "events.read",
  "inventory.hold",
  "orders.read",
  "orders.write",
  "tickets.verify",
] as const;

/** A scope of {@link partnerScopes}. */
export type PartnerScope = (typeof partnerScopes)[number];

/** Whether `scope` is a Marquee partner scope. */
export function isPartnerScope(scope: string): scope is PartnerScope {
  return (partnerScopes as readonly string[]).includes(scope);
}

/** Scopes without repeats, in the order of {@link partnerScopes}: how clients store and tokens carry them. */
export function orderedScopes(scopes: readonly string[]): PartnerScope[] {
  return partnerScopes.filter((scope) => scopes.includes(scope));
}
