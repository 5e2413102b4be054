import { defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { clientIpOf } from "../domain/client-ip.js";
import { emailKeyOf } from "../domain/email-address.js";
import type { Identity } from "../identity.js";
import { linkTo, passwordResetMail } from "../mail/account-mails.js";
import { createLinkToken } from "../store/link-tokens.js";
import type { ThrottleLimit } from "../store/throttle.js";
import { findUserByEmail } from "../store/users.js";
import { checkEmail } from "./request-rules.js";

/**
 * IdentityService.RequestPasswordReset: mails a reset link when an enabled account has the address, and
 * answers the same, empty, either way. The mail leaves after the answer, so its time does not tell
 * either; the one difference left is a single insert for an existing account. Limited per address
 * (MAILS_PER_ACCOUNT, counted for unknown addresses too) so nobody's mailbox can be flooded, and per IP
 * with the sign-in failures' limit.
 */
export const requestPasswordReset = defineRpc(IdentityService.method.requestPasswordReset, {
  rules(request, check) {
    checkEmail(check, "email", request.email);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const emailKey = emailKeyOf(request.email);
      const ip = clientIpOf(call);
      const limits: ThrottleLimit[] = [
        { key: `email:${emailKey}`, max: identity.limits.mailsPerAccount },
        ...(ip === undefined ? [] : [{ key: `ip:${ip}`, max: identity.limits.loginFailuresPerIp }]),
      ];
      await identity.throttle.check("MAIL", limits, now);
      await identity.throttle.record(
        "MAIL",
        limits.map((limit) => limit.key),
        now,
      );
      const user = await findUserByEmail(identity.orm, emailKey);
      if (user !== null && user.disableTime == null) {
        const link = await createLinkToken(
          identity.orm.em.fork(),
          user.id,
          "RESET_PASSWORD",
          now,
          identity.lifetimes.passwordResetMs,
        );
        identity.mailer.send(
          passwordResetMail(user, linkTo(identity.appUrl, "reset-password", link.token), link.expireTime),
        );
      }
      return {};
    };
  },
});
