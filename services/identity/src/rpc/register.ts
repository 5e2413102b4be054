import { alreadyExists, defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import { clientIpOf } from "../domain/client-ip.js";
import { emailAddressOf } from "../domain/email-address.js";
import type { Identity } from "../identity.js";
import { linkTo, verificationMail } from "../mail/account-mails.js";
import { openSession } from "../sign-in.js";
import { createLinkToken } from "../store/link-tokens.js";
import { userMessage } from "../store/messages.js";
import { insertNewUser, type NewUser } from "../store/users.js";
import { checkDisplayName, checkEmail, checkNewPassword } from "./request-rules.js";

/**
 * IdentityService.Register: a customer account, unverified, signed in at once, with a verification mail
 * on its way and UserRegistered in the outbox. What a user may not choose is not in the request to begin
 * with — roles and the verified state are set here, customer and unverified, whatever else a client
 * sends (unknown fields are dropped by the decoder).
 *
 * A taken address is ALREADY_EXISTS, as the contract says, which tells a caller that the address has an
 * account. Registrations are limited per client IP (REGISTRATIONS_PER_IP), which bounds how fast anyone
 * can probe addresses this way; Login and RequestPasswordReset tell nothing.
 */
export const register = defineRpc(IdentityService.method.register, {
  rules(request, check) {
    checkEmail(check, "email", request.email);
    checkNewPassword(check, "password", request.password, request.email);
    checkDisplayName(check, "display_name", request.displayName);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const ip = clientIpOf(call);
      if (ip !== undefined) {
        const key = `ip:${ip}`;
        await identity.throttle.check("REGISTRATION", [{ key, max: identity.limits.registrationsPerIp }], now);
        // Counted whether or not it succeeds: probing taken addresses is what the limit is for.
        await identity.throttle.record("REGISTRATION", [key], now);
      }
      const { address, key } = emailAddressOf(request.email);
      const passwordHash = await identity.passwords.hash(request.password);
      let created: Awaited<ReturnType<typeof createAccount>>;
      try {
        created = await createAccount(
          identity,
          {
            email: address,
            emailKey: key,
            displayName: request.displayName.trim(),
            passwordHash,
            emailVerifyTime: null,
          },
          now,
        );
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw alreadyExists("an account with this email address exists");
        }
        throw error;
      }
      const { user, tokens, link } = created;
      identity.mailer.send(
        verificationMail(user, linkTo(identity.appUrl, "verify-email", link.token), link.expireTime),
      );
      return { user: userMessage(user), tokens };
    };
  },
});

/** Inserts the account with its event, its verification token and its first session, in one transaction. */
async function createAccount(identity: Identity, fields: NewUser, now: Date) {
  return await identity.orm.em.fork().transactional(async (em) => {
    const user = await insertNewUser(em, fields, now);
    const link = await createLinkToken(em, user.id, "VERIFY_EMAIL", now, identity.lifetimes.emailVerificationMs);
    const tokens = await openSession(identity, em, user, now);
    return { user, tokens, link };
  });
}
