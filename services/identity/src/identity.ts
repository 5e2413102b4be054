import type { Database, Logger } from "@marquee/mesh";
import type { PasswordHasher } from "./domain/password-hash.js";
import type { Mailer } from "./mail/mailer.js";
import type { SocialProviders } from "./social/providers.js";
import type { Throttle } from "./store/throttle.js";
import type { KeyRing } from "./tokens/key-ring.js";
import type { TwoFactor } from "./two-factor.js";

/** What identity's RPC handlers are built from (the manifest composes it). */
export interface Identity {
  readonly orm: Database;
  readonly log: Logger;
  readonly keys: KeyRing;
  readonly passwords: PasswordHasher;
  readonly mailer: Mailer;
  readonly throttle: Throttle;
  readonly limits: SignInLimits;
  readonly lifetimes: Lifetimes;
  /** `APP_URL`: where the links in the mails lead. */
  readonly appUrl: string;
  /** Two-factor sign-in (TOTP): the secrets' cipher and its settings. */
  readonly twoFactor: TwoFactor;
  /** The OpenID Connect providers social sign-in is configured for (`SOCIAL_*`). */
  readonly social: SocialProviders;
}

/** How many of each throttled event a key may have in the throttle's window. */
export interface SignInLimits {
  readonly loginFailuresPerAccount: number;
  readonly loginFailuresPerIp: number;
  readonly registrationsPerIp: number;
  readonly mailsPerAccount: number;
}

/** How long what identity issues lasts. */
export interface Lifetimes {
  readonly accessTokenSec: number;
  readonly refreshTokenMs: number;
  readonly emailVerificationMs: number;
  readonly passwordResetMs: number;
  /** How long a disabled user stays on the revoked-subjects list: the access-token lifetime plus slack. */
  readonly revocationMs: number;
  /** A partner client's access token (`PARTNER_TOKEN_TTL_S`). */
  readonly partnerTokenSec: number;
  /** How long a revoked partner client stays on the revoked-subjects list: its token lifetime plus slack. */
  readonly partnerRevocationMs: number;
}
