import { defineRpc, failedPrecondition, invalidArgument } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { removeFactor } from "../store/two-factor.js";
import { codeGuessLimits, spendCode } from "../two-factor.js";
import { checkGiven } from "./request-rules.js";

/**
 * IdentityService.DisableTotp: a current TOTP code or an unspent recovery code (so a lost phone does not
 * lock the factor on) turns two-factor sign-in off; the secret and the recovery codes are deleted, and the
 * caller's sessions stop stating "otp" on refresh. Wrong codes are throttled as CompleteLogin's are, so a
 * stolen access token does not give unlimited guesses either.
 */
export const disableTotp = defineRpc(IdentityService.method.disableTotp, {
  rules(request, check) {
    checkGiven(check, "code", request.code, 100);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const limits = codeGuessLimits(identity, call.principal?.subject ?? "", call);
      await identity.throttle.check("LOGIN_FAILURE", limits, now);
      const disabled = await identity.orm.em.fork().transactional(async (em) => {
        const user = await activeCaller(em, call, true);
        if (user.totpEnableTime == null) {
          throw failedPrecondition("two-factor sign-in is off", [
            { type: "TOTP_NOT_ENABLED", subject: `user:${user.id}`, description: "two-factor sign-in is off" },
          ]);
        }
        if ((await spendCode(identity.twoFactor, em, user.id, request.code, now, { recovery: true })) === null) {
          return null;
        }
        await removeFactor(em, user.id);
        user.totpEnableTime = null;
        user.updateTime = now;
        await em.flush();
        return user;
      });
      if (disabled === null) {
        await identity.throttle.record(
          "LOGIN_FAILURE",
          limits.map((limit) => limit.key),
          now,
        );
        throw invalidArgument("code", "is wrong or was used already");
      }
      await identity.throttle.clear("LOGIN_FAILURE", `user:${disabled.id}`);
      call.log.info({ userId: disabled.id }, "two-factor sign-in turned off");
      return { user: userMessage(disabled) };
    };
  },
});
