import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { defineRpc, failedPrecondition } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import type { Identity } from "../identity.js";
import { linkTo, verificationMail } from "../mail/account-mails.js";
import { createLinkToken } from "../store/link-tokens.js";

/** IdentityService.SendVerificationEmail: a new verification link for the caller, within the mail limit. */
export const sendVerificationEmail = defineRpc(IdentityService.method.sendVerificationEmail, {
  rules() {
    // SendVerificationEmailRequest has no fields: the caller comes from the token.
  },
  handler(identity: Identity) {
    return async (_request, call) => {
      const now = new Date();
      const em = identity.orm.em.fork();
      const user = await activeCaller(em, call);
      if (user.emailVerifyTime != null) throw failedPrecondition("the email address is already verified");
      const key = `email:${user.emailKey}`;
      await identity.throttle.check("MAIL", [{ key, max: identity.limits.mailsPerAccount }], now);
      await identity.throttle.record("MAIL", [key], now);
      const link = await createLinkToken(em, user.id, "VERIFY_EMAIL", now, identity.lifetimes.emailVerificationMs);
      identity.mailer.send(
        verificationMail(user, linkTo(identity.appUrl, "verify-email", link.token), link.expireTime),
      );
      return { expireTime: timestampFromDate(link.expireTime) };
    };
  },
});
