import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { alreadyExists, defineRpc, writeEvent } from "@marquee/mesh";
import { UserRegisteredSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import { clientIpOf } from "../domain/client-ip.js";
import { emailAddressOf } from "../domain/email-address.js";
import { UserEntity } from "../entities/user.js";
import type { Identity } from "../identity.js";
import { linkTo, verificationMail } from "../mail/account-mails.js";
import { openSession } from "../sign-in.js";
import { createLinkToken } from "../store/link-tokens.js";
import { userMessage } from "../store/messages.js";
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
      const ip = clientIpOf(call.headers);
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
        created = await createAccount(identity, {
          email: address,
          emailKey: key,
          displayName: request.displayName.trim(),
          passwordHash,
          now,
        });
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
async function createAccount(
  identity: Identity,
  fields: { email: string; emailKey: string; displayName: string; passwordHash: string; now: Date },
) {
  const { now } = fields;
  return await identity.orm.em.fork().transactional(async (em) => {
    const user: UserEntity = {
      id: randomUUID(),
      email: fields.email,
      emailKey: fields.emailKey,
      displayName: fields.displayName,
      phoneNumber: "",
      passwordHash: fields.passwordHash,
      roles: ["customer"],
      emailVerifyTime: null,
      disableTime: null,
      disableReason: "",
      disabledBy: null,
      createTime: now,
      updateTime: now,
      lastLoginTime: now,
      totpEnableTime: null,
    };
    await em.insert(UserEntity, user);
    await writeEvent(em, {
      source: "identity",
      subject: user.id,
      schema: UserRegisteredSchema,
      payload: create(UserRegisteredSchema, {
        userId: user.id,
        email: user.email,
        displayName: user.displayName,
        registerTime: timestampFromDate(now),
      }),
    });
    const link = await createLinkToken(em, user.id, "VERIFY_EMAIL", now, identity.lifetimes.emailVerificationMs);
    const tokens = await openSession(identity, em, user, now);
    return { user, tokens, link };
  });
}
