import type { DescMethod } from "@bufbuild/protobuf";
import type { Setting } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { type RateLimit, type RateLimitRule, type RateLimitScope, rateLimitSetting } from "./gateway/index.js";

/**
 * The BFF's rate limits, declared once: each is a token bucket with its own config variable and default
 * (`src/config.ts` reads them all from here). Every call meets the two defaults — per client IP before
 * authentication, per user after — and the RPCs below also meet their stricter bucket, which they
 * share: a user's HoldSeats and HoldBestAvailable calls draw on one `holds` bucket.
 *
 * The defaults are far above what a person in a browser does (a page makes a handful of calls) and
 * leave room for many people behind one address (an office, a carrier's NAT); the stricter limits sit
 * where a call costs the platform, or an attacker gains, the most: holds take seats from everyone else,
 * CreateOrder starts a payment, and the anonymous identity RPCs invite password and second-factor
 * guessing, mass sign-ups and mail bombing. Identity also throttles sign-in per account and IP itself; these limits shed a flood
 * before it reaches identity.
 */
export const defaultRateLimits = {
  RATE_LIMIT_PER_IP: { per: "ip", defaultLimit: "100/s:200", doc: "every call, per client IP (an IPv6 /64)" },
  RATE_LIMIT_PER_USER: {
    per: "user",
    defaultLimit: "50/s:100",
    doc: "every call of a signed-in caller, per user or partner client",
  },
} as const satisfies Record<string, { per: RateLimitScope; defaultLimit: string; doc: string }>;

/** A stricter limit of {@link rpcRateLimits}. */
interface RpcRateLimit {
  /** Its config variable. */
  readonly setting: string;
  /** The bucket's name in Redis keys, logs and `marquee_bff_rate_limited_total{limit}`. */
  readonly name: string;
  readonly per: RateLimitScope;
  readonly defaultLimit: string;
  readonly doc: string;
  readonly methods: readonly DescMethod[];
}

/** The stricter limits, by RPC. */
export const rpcRateLimits: readonly RpcRateLimit[] = [
  {
    setting: "RATE_LIMIT_HOLDS",
    name: "holds",
    per: "user",
    defaultLimit: "10/s",
    doc: "seat holds per user: InventoryService.HoldSeats and HoldBestAvailable together",
    methods: [InventoryService.method.holdSeats, InventoryService.method.holdBestAvailable],
  },
  {
    setting: "RATE_LIMIT_CHECKOUT",
    name: "checkout",
    per: "user",
    defaultLimit: "3/s:5",
    doc: "checkouts per user: OrderingService.CreateOrder",
    methods: [OrderingService.method.createOrder],
  },
  {
    setting: "RATE_LIMIT_SIGN_IN",
    name: "sign-in",
    per: "ip",
    defaultLimit: "1/s:10",
    doc: "sign-ins per client IP: IdentityService.Login, CompleteLogin (the second factor), StartSocialSignIn, SignInWithSocial and IssueClientToken together",
    methods: [
      IdentityService.method.login,
      IdentityService.method.completeLogin,
      IdentityService.method.startSocialSignIn,
      IdentityService.method.signInWithSocial,
      IdentityService.method.issueClientToken,
    ],
  },
  {
    setting: "RATE_LIMIT_SIGN_UP",
    name: "sign-up",
    per: "ip",
    defaultLimit: "5/m:10",
    doc: "new accounts per client IP: IdentityService.Register",
    methods: [IdentityService.method.register],
  },
  {
    setting: "RATE_LIMIT_ACCOUNT_MAIL",
    name: "account-mail",
    per: "ip",
    defaultLimit: "5/m:5",
    doc: "account mails per client IP: IdentityService.RequestPasswordReset and SendVerificationEmail together",
    methods: [IdentityService.method.requestPasswordReset, IdentityService.method.sendVerificationEmail],
  },
];

/** The config settings of every limit above: `RATE_LIMIT_PER_IP`, …, `RATE_LIMIT_HOLDS`, … */
export const rateLimitSettings: Readonly<Record<string, Setting<RateLimit>>> = Object.fromEntries([
  ...Object.entries(defaultRateLimits).map(([setting, limit]) => [
    setting,
    rateLimitSetting(limit.doc, limit.defaultLimit),
  ]),
  ...rpcRateLimits.map((limit) => [limit.setting, rateLimitSetting(limit.doc, limit.defaultLimit)]),
]);

/** The configured limits as the gateway takes them: the two defaults and the stricter rules. */
export function configuredRateLimits(config: Readonly<Record<string, unknown>>): {
  readonly perIp: RateLimit;
  readonly perUser: RateLimit;
  readonly rules: RateLimitRule[];
} {
  return {
    perIp: config.RATE_LIMIT_PER_IP as RateLimit,
    perUser: config.RATE_LIMIT_PER_USER as RateLimit,
    rules: rateLimitRulesOf(config),
  };
}

/** The stricter limits as the gateway takes them, each with its configured limit. */
export function rateLimitRulesOf(config: Readonly<Record<string, unknown>>): RateLimitRule[] {
  return rpcRateLimits.map((limit) => ({
    name: limit.name,
    per: limit.per,
    limit: config[limit.setting] as RateLimit,
    rpcs: limit.methods.map((m) => `${m.parent.typeName}/${m.name}`),
  }));
}
