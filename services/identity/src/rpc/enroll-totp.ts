import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { defineRpc, failedPrecondition } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import { newTotpSecret, otpauthUriOf } from "../domain/totp.js";
import type { Identity } from "../identity.js";
import { startEnrolment } from "../store/two-factor.js";
import { sealSecret } from "../two-factor.js";

/**
 * IdentityService.EnrollTotp: a new secret, pending until ConfirmTotp, replacing any pending one. The
 * secret leaves identity in this answer only; it is stored sealed (AES-256-GCM, `TOTP_ENCRYPTION_KEYS`)
 * and no other response maps it.
 */
export const enrollTotp = defineRpc(IdentityService.method.enrollTotp, {
  rules() {
    // Nothing to check: the request has no fields.
  },
  handler(identity: Identity) {
    return async (_request, call) => {
      const now = new Date();
      const expireTime = new Date(now.getTime() + identity.twoFactor.enrolmentTtlMs);
      const secret = newTotpSecret();
      const user = await identity.orm.em.fork().transactional(async (em) => {
        const user = await activeCaller(em, call, true);
        if (user.totpEnableTime != null) {
          throw failedPrecondition("two-factor sign-in is on already: turn it off with DisableTotp first", [
            { type: "TOTP_ENABLED", subject: `user:${user.id}`, description: "two-factor sign-in is on" },
          ]);
        }
        await startEnrolment(em, user.id, sealSecret(identity.twoFactor, user.id, secret), now, expireTime);
        return user;
      });
      return {
        secret,
        otpauthUri: otpauthUriOf(secret, identity.twoFactor.issuer, user.email),
        expireTime: timestampFromDate(expireTime),
      };
    };
  },
});
