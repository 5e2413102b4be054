import { generateSecret, generateURI, verify } from "otplib";

/**
 * TOTP (RFC 6238) as every authenticator app speaks it — the Key Uri Format's defaults: HMAC-SHA-1, 6
 * digits, 30-second steps, a 160-bit secret in base32 — through otplib (pinned 13.5.0), the same library
 * the tests compute codes with, as a phone would from the secret EnrollTotp shows.
 */

/** Seconds per time step. */
export const totpPeriodSec = 30;

/** A new random secret: 20 bytes (RFC 4226 §4's recommended length), base32 without padding. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI of a secret, for a QR code: `otpauth://totp/<issuer>:<label>?secret=…&issuer=…`. */
export function otpauthUriOf(secret: string, issuer: string, label: string): string {
  return generateURI({ strategy: "totp", issuer, label, secret, algorithm: "sha1", digits: 6, period: totpPeriodSec });
}

/** Whether `code` has the form of a TOTP code (checked before any work). */
export function isTotpShaped(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * The time step (RFC 6238's T) whose code `code` is, looking at the step of `nowMs` and one step either
 * side (§5.2's allowance for clock drift and transmission delay); null when it is none of them. The
 * caller refuses a step already used (see `store/two-factor.ts`), so no code is accepted twice.
 */
export async function matchingStep(secret: string, code: string, nowMs: number): Promise<number | null> {
  if (!isTotpShaped(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    period: totpPeriodSec,
    epochTolerance: totpPeriodSec,
  });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}
