import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { CallContext, FieldCipher } from "@marquee/mesh";
import type { EntityManager } from "@mikro-orm/postgresql";
import { clientIpOf } from "./domain/client-ip.js";
import { normalRecoveryCode, recoveryCodeHash } from "./domain/recovery-codes.js";
import { isTotpShaped, matchingStep } from "./domain/totp.js";
import type { TotpFactorEntity } from "./entities/totp-factor.js";
import type { Identity } from "./identity.js";
import type { ThrottleLimit } from "./store/throttle.js";
import { findFactor, openChallenge, spendRecoveryCode, useStep } from "./store/two-factor.js";

/** Two-factor sign-in's settings and the cipher its secrets are sealed with (the manifest composes it). */
export interface TwoFactor {
  /** Seals and opens TOTP secrets (`TOTP_ENCRYPTION_KEYS`). */
  readonly cipher: FieldCipher;
  /** `TOTP_ISSUER`: the issuer authenticator apps show. */
  readonly issuer: string;
  /** How long an enrolment waits for its confirmation. */
  readonly enrolmentTtlMs: number;
  /** How long the challenge of Login or SignInWithSocial waits for CompleteLogin. */
  readonly challengeTtlMs: number;
}

/**
 * The authentication methods (RFC 8176 `amr`) of a first factor: a password (Login), or a federated
 * provider (SignInWithSocial), as Microsoft's tokens say it.
 */
export const passwordOnly: readonly string[] = ["pwd"];
export const federatedOnly: readonly string[] = ["fed"];

/** The methods of a sign-in whose first factor was completed with a code (CompleteLogin): it adds "otp". */
export function withCode(firstFactor: readonly string[]): string[] {
  return [...firstFactor.filter((method) => method !== "otp"), "otp"];
}

/** Where a factor's secret is bound as GCM's additional data: a sealed secret moved to another row fails. */
function placeOf(userId: string): string {
  return `totp_factor.secret:${userId}`;
}

export function sealSecret(twoFactor: TwoFactor, userId: string, secret: string): string {
  return twoFactor.cipher.seal(secret, placeOf(userId));
}

export function openSecret(twoFactor: TwoFactor, factor: TotpFactorEntity): string {
  return twoFactor.cipher.open(factor.secretSealed, placeOf(factor.userId));
}

/** Which kind of code got a user through. */
export type CodeKind = "totp" | "recovery";

/**
 * Checks a second-factor code of a user with two-factor sign-in on, inside `em`'s transaction, and spends
 * it when it is right: a TOTP code's step becomes the last one used (so neither it nor an older step is
 * accepted again), a recovery code is spent. Null for a wrong, replayed or spent code, and nothing changes.
 */
export async function spendCode(
  twoFactor: TwoFactor,
  em: EntityManager,
  userId: string,
  code: string,
  now: Date,
  accepts: { readonly recovery: boolean },
): Promise<CodeKind | null> {
  const typed = code.trim();
  if (isTotpShaped(typed)) {
    const factor = await findFactor(em, userId);
    if (factor === null) return null;
    const step = await matchingStep(openSecret(twoFactor, factor), typed, now.getTime());
    return step !== null && (await useStep(em, userId, step)) ? "totp" : null;
  }
  if (!accepts.recovery) return null;
  const normal = normalRecoveryCode(typed);
  if (normal === null) return null;
  return (await spendRecoveryCode(em, userId, recoveryCodeHash(userId, normal), now)) ? "recovery" : null;
}

/**
 * The throttle keys of second-factor guesses about a user: the account (`user:<id>`, so a password
 * sign-in, which clears the address's failures, does not clear these) and the client IP, each with
 * Login's limits.
 */
export function codeGuessLimits(identity: Identity, userId: string, call: CallContext): ThrottleLimit[] {
  const ip = clientIpOf(call);
  return [
    { key: `user:${userId}`, max: identity.limits.loginFailuresPerAccount },
    ...(ip === undefined ? [] : [{ key: `ip:${ip}`, max: identity.limits.loginFailuresPerIp }]),
  ];
}

/**
 * The answer of Login or SignInWithSocial for an account with two-factor sign-in on, once the first
 * factor (`firstFactor`, its `amr`) was right: a challenge for CompleteLogin, which remembers the first
 * factor for the session's `amr`, and neither the account nor tokens. Inside the sign-in's transaction.
 */
export async function challengeAnswer(
  identity: Identity,
  em: EntityManager,
  userId: string,
  firstFactor: readonly string[],
  now: Date,
) {
  const challenge = await openChallenge(em, userId, firstFactor, now, identity.twoFactor.challengeTtlMs);
  return { mfaChallenge: challenge.token, mfaChallengeExpireTime: timestampFromDate(challenge.expireTime) };
}
