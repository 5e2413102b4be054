import { defineService, FieldCipher } from "@marquee/mesh";
import { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { startChallengePruning } from "./background/challenge-pruning.js";
import { startKeyChecks } from "./background/key-checks.js";
import { startThrottlePruning } from "./background/throttle-pruning.js";
import { settings } from "./config.js";
import { PasswordHasher } from "./domain/password-hash.js";
import { entities } from "./entities/index.js";
import type { Identity } from "./identity.js";
import { Mailer } from "./mail/mailer.js";
import { migrations } from "./migrations/index.js";
import * as rpcs from "./rpc/index.js";
import { providersOf } from "./social/config.js";
import { SocialProviders } from "./social/providers.js";
import { Throttle } from "./store/throttle.js";
import { KeyRing } from "./tokens/key-ring.js";

/**
 * Identity: accounts, passwords, sessions with rotating refresh tokens, and the ES256 keys every access
 * token is signed with. It calls no other service. Unlike the others it also signs what every process
 * verifies, so its composition brings the key ring up to date (making the first key on a first start)
 * before it serves, and its keys are checked in the background. UserRegistered goes through its outbox.
 */
export const identity = defineService({
  name: "identity",
  ports: { grpc: 50053, metrics: 9453 },
  upstreams: {},
  settings,
  database: { schema: "identity", entities, migrations },
  events: { source: "identity" },
  services: [IdentityService, IdentityInternalService],
  rpcs: Object.values(rpcs),
  async compose({ config, log, orm }) {
    const accessTokenMs = config.ACCESS_TOKEN_TTL_S * 1000;
    const slackMs = config.SIGNING_KEY_RETAIN_SLACK_S * 1000;
    const partnerTokenMs = config.PARTNER_TOKEN_TTL_S * 1000;
    const keys = new KeyRing(orm, {
      rotateAfterMs: config.SIGNING_KEY_ROTATE_AFTER_S * 1000,
      publishAheadMs: config.SIGNING_KEY_PUBLISH_AHEAD_S * 1000,
      // A retired key verifies until the longest-lived token it signed has expired: a partner's (1 h) too.
      retainMs: Math.max(accessTokenMs, partnerTokenMs) + slackMs,
      jwksFile: config.JWKS_FILE || undefined,
      log,
    });
    await keys.rotate();
    const throttle = new Throttle(orm, config.THROTTLE_WINDOW_S * 1000);
    const mailer = new Mailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, log });
    const deps: Identity = {
      orm,
      log,
      keys,
      passwords: new PasswordHasher({ logN: config.PASSWORD_SCRYPT_LOG_N, r: 8, p: 1 }),
      mailer,
      throttle,
      limits: {
        loginFailuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
        loginFailuresPerIp: config.LOGIN_FAILURES_PER_IP,
        registrationsPerIp: config.REGISTRATIONS_PER_IP,
        mailsPerAccount: config.MAILS_PER_ACCOUNT,
      },
      lifetimes: {
        accessTokenSec: config.ACCESS_TOKEN_TTL_S,
        refreshTokenMs: config.REFRESH_TOKEN_TTL_S * 1000,
        emailVerificationMs: config.EMAIL_VERIFICATION_TTL_S * 1000,
        passwordResetMs: config.PASSWORD_RESET_TTL_S * 1000,
        revocationMs: accessTokenMs + slackMs,
        partnerTokenSec: config.PARTNER_TOKEN_TTL_S,
        partnerRevocationMs: partnerTokenMs + slackMs,
      },
      appUrl: config.APP_URL,
      twoFactor: {
        cipher: new FieldCipher({ keys: config.TOTP_ENCRYPTION_KEYS, currentKeyId: config.TOTP_ENCRYPTION_KEY_ID }),
        issuer: config.TOTP_ISSUER,
        enrolmentTtlMs: config.TOTP_ENROLMENT_TTL_S * 1000,
        challengeTtlMs: config.MFA_CHALLENGE_TTL_S * 1000,
      },
      social: new SocialProviders(providersOf(config), { flowTtlMs: config.SOCIAL_FLOW_TTL_S * 1000, log }),
    };
    return {
      deps,
      background: [
        () => startKeyChecks(keys, log, config.SIGNING_KEY_CHECK_INTERVAL_MS),
        () => startThrottlePruning(throttle, log, Math.min(config.THROTTLE_WINDOW_S * 1000, 5 * 60_000)),
        () => startChallengePruning(orm, log, 5 * 60_000),
      ],
      close: [() => mailer.close()],
    };
  },
});
