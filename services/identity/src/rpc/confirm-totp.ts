import { defineRpc, failedPrecondition, invalidArgument } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import { newRecoveryCodes, normalRecoveryCode, recoveryCodeHash } from "../domain/recovery-codes.js";
import { isTotpShaped, matchingStep } from "../domain/totp.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { confirmFactor, findFactor, replaceRecoveryCodes, useStep } from "../store/two-factor.js";
import { codeGuessLimits, openSecret } from "../two-factor.js";

/**
 * IdentityService.ConfirmTotp: a first code of the pending secret turns two-factor sign-in on, and its
 * time step counts as used (the same code cannot then complete a sign-in). The 10 recovery codes are made
 * here and answered once; only their hashes are kept. Wrong codes are throttled as CompleteLogin's are.
 */
export const confirmTotp = defineRpc(IdentityService.method.confirmTotp, {
  rules(request, check) {
    check.that("code", isTotpShaped(request.code.trim()), "must be the 6 digits the authenticator app shows");
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const callerId = call.principal?.subject ?? "";
      const limits = codeGuessLimits(identity, callerId, call);
      await identity.throttle.check("LOGIN_FAILURE", limits, now);
      const codes = newRecoveryCodes();
      const confirmed = await identity.orm.em.fork().transactional(async (em) => {
        const user = await activeCaller(em, call, true);
        const factor = await findFactor(em, user.id, true);
        if (user.totpEnableTime != null || factor === null || factor.expireTime == null || factor.expireTime <= now) {
          throw failedPrecondition("no two-factor enrolment is pending: start one with EnrollTotp", [
            {
              type: user.totpEnableTime != null ? "TOTP_ENABLED" : "TOTP_NOT_ENROLLING",
              subject: `user:${user.id}`,
              description: user.totpEnableTime != null ? "two-factor sign-in is on already" : "no pending secret",
            },
          ]);
        }
        const step = await matchingStep(openSecret(identity.twoFactor, factor), request.code.trim(), now.getTime());
        if (step === null || !(await useStep(em, user.id, step))) return null;
        await confirmFactor(em, user.id, now);
        const hashes = codes.map((code) => recoveryCodeHash(user.id, normalRecoveryCode(code) as string));
        await replaceRecoveryCodes(em, user.id, hashes, now);
        user.totpEnableTime = now;
        user.updateTime = now;
        await em.flush();
        return user;
      });
      if (confirmed === null) {
        await identity.throttle.record(
          "LOGIN_FAILURE",
          limits.map((limit) => limit.key),
          now,
        );
        throw invalidArgument("code", "is wrong: enter the code the authenticator app shows now");
      }
      await identity.throttle.clear("LOGIN_FAILURE", `user:${confirmed.id}`);
      call.log.info({ userId: confirmed.id }, "two-factor sign-in turned on");
      return { user: userMessage(confirmed), recoveryCodes: codes };
    };
  },
});
