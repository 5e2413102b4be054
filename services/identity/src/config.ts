import { integer, keyringSetting, string, url } from "@marquee/mesh";
import { devTotpKeyId, devTotpKeys } from "./domain/totp-keys.js";
import { socialSettings } from "./social/config.js";

const minute = 60;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * Identity's own variables, beside the standard ones its manifest implies (`PORT`, `DATABASE_URL`, …). The
 * token lifetimes are the proto's (TokenSet: 15 minutes, 30 days); the mail defaults are the local sink's.
 */
export const settings = {
  ACCESS_TOKEN_TTL_S: integer("lifetime of a user's access token, in seconds", 15 * minute, {
    min: 10,
    max: hour,
  }),
  PARTNER_TOKEN_TTL_S: integer(
    "lifetime of a partner client's access token (client-credentials grant), in seconds; signing keys stay published at least this long after they retire",
    hour,
    { min: 10, max: 24 * hour },
  ),
  REFRESH_TOKEN_TTL_S: integer(
    "lifetime of a session's refresh tokens, from the sign-in that started it (refreshing does not extend it)",
    30 * day,
    { min: minute, max: 365 * day },
  ),
  SIGNING_KEY_ROTATE_AFTER_S: integer(
    "how long one ES256 key signs access tokens before a new one takes over; the old one keeps verifying",
    30 * day,
    { min: 1, max: 365 * day },
  ),
  SIGNING_KEY_PUBLISH_AHEAD_S: integer(
    "how long a new key is in the JWKS before it signs, so every verifier's cached JWKS (jose caches 10 minutes) knows it first",
    15 * minute,
    { min: 0, max: 7 * day },
  ),
  SIGNING_KEY_RETAIN_SLACK_S: integer(
    "how long a retired key stays in the JWKS beyond the access-token lifetime (clock skew, replicas that still sign with it until their next key check)",
    5 * minute,
    { min: 0, max: day },
  ),
  SIGNING_KEY_CHECK_INTERVAL_MS: integer(
    "pause between two checks of the signing keys: rotate when due, drop expired keys, pick up another replica's rotation",
    60_000,
    { min: 50, max: hour * 1000 },
  ),
  JWKS_FILE: string(
    "when set, identity also writes its JWKS into this file, keeping the keys it did not issue (the launcher's development key): how processes whose AUTH_JWKS_URL is this file accept identity's tokens; empty: off",
    "",
  ),
  PASSWORD_SCRYPT_LOG_N: integer(
    "scrypt cost of new password hashes, log2 of N (r=8, p=1); stored with each hash, so raising it upgrades passwords at their next sign-in",
    15,
    { min: 10, max: 20 },
  ),
  THROTTLE_WINDOW_S: integer("the sliding window the sign-in and mail limits below count in, in seconds", 15 * minute, {
    min: 1,
    max: day,
  }),
  LOGIN_FAILURES_PER_ACCOUNT: integer(
    "failed sign-ins (and wrong current passwords) per email address in the window before RESOURCE_EXHAUSTED",
    5,
    { min: 1, max: 10_000 },
  ),
  LOGIN_FAILURES_PER_IP: integer("failed sign-ins from one client IP in the window before RESOURCE_EXHAUSTED", 50, {
    min: 1,
    max: 100_000,
  }),
  REGISTRATIONS_PER_IP: integer("registrations from one client IP in the window before RESOURCE_EXHAUSTED", 20, {
    min: 1,
    max: 100_000,
  }),
  MAILS_PER_ACCOUNT: integer(
    "verification and password-reset mails per email address in the window before RESOURCE_EXHAUSTED",
    5,
    { min: 1, max: 10_000 },
  ),
  EMAIL_VERIFICATION_TTL_S: integer("how long an email verification link works, in seconds", 2 * day, {
    min: minute,
    max: 30 * day,
  }),
  PASSWORD_RESET_TTL_S: integer("how long a password reset link works, in seconds", hour, { min: minute, max: day }),
  // A secret: the URL may carry the SMTP password.
  SMTP_URL: {
    ...url(
      "SMTP server the account mails (verification, password reset) go through, e.g. smtp://user:pass@host:587 or smtps://…; the default is the local mail sink",
      "smtp://127.0.0.1:1025",
      ["smtp", "smtps"],
    ),
    isSecret: true,
  },
  TOTP_ENCRYPTION_KEYS: keyringSetting(
    "AES-256-GCM keys the TOTP secrets are stored under, `kid:base64key,…`: every one opens, TOTP_ENCRYPTION_KEY_ID seals. The default is a development key anyone can derive: set real keys anywhere but locally",
    devTotpKeys,
  ),
  TOTP_ENCRYPTION_KEY_ID: string("kid of TOTP_ENCRYPTION_KEYS that seals new TOTP secrets", devTotpKeyId),
  TOTP_ISSUER: string("the issuer authenticator apps show beside the account (the otpauth:// URI's issuer)", "Marquee"),
  TOTP_ENROLMENT_TTL_S: integer("how long an EnrollTotp secret waits for its ConfirmTotp, in seconds", 15 * minute, {
    min: minute,
    max: day,
  }),
  MFA_CHALLENGE_TTL_S: integer("how long Login's mfa_challenge waits for its CompleteLogin, in seconds", 5 * minute, {
    min: 10,
    max: hour,
  }),
  MAIL_FROM: string("From: of the account mails", "Marquee <no-reply@marquee.localhost>"),
  APP_URL: url("base URL of the web app, which the links in the mails open", "http://localhost:8080", [
    "http",
    "https",
  ]),
  ...socialSettings,
};
