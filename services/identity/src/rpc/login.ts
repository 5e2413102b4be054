import { defineRpc, permissionDenied, unauthenticated } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { clientIpOf } from "../domain/client-ip.js";
import { emailKeyOf } from "../domain/email-address.js";
import { UserEntity } from "../entities/user.js";
import type { Identity } from "../identity.js";
import { openSession } from "../sign-in.js";
import { userMessage } from "../store/messages.js";
import type { ThrottleLimit } from "../store/throttle.js";
import { findUserByEmail } from "../store/users.js";
import { challengeAnswer, passwordOnly } from "../two-factor.js";
import { checkGiven } from "./request-rules.js";

/**
 * IdentityService.Login. An unknown address, an account without a password and a wrong password get one
 * answer, UNAUTHENTICATED "email or password is wrong", after the same work: a missing hash is replaced
 * by a dummy one of the current cost, so scrypt runs either way and the time does not tell them apart.
 * The right password of a disabled account is PERMISSION_DENIED, as the contract says (only someone who
 * knows the password learns it).
 *
 * Failures are limited per address (LOGIN_FAILURES_PER_ACCOUNT; unknown addresses too, so the limit
 * tells nothing either) and per client IP (LOGIN_FAILURES_PER_IP), checked before the password: past a
 * limit even the right password waits, so guessing cannot go on. A sign-in forgets its address's
 * failures.
 *
 * For an account with two-factor sign-in on, the right password opens no session: it answers a challenge
 * that CompleteLogin finishes with a code (see `complete-login.ts`), and the sign-in time is set there.
 */
export const login = defineRpc(IdentityService.method.login, {
  rules(request, check) {
    checkGiven(check, "email", request.email);
    checkGiven(check, "password", request.password);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const accountKey = `email:${emailKeyOf(request.email)}`;
      const ip = clientIpOf(call);
      const limits: ThrottleLimit[] = [
        { key: accountKey, max: identity.limits.loginFailuresPerAccount },
        ...(ip === undefined ? [] : [{ key: `ip:${ip}`, max: identity.limits.loginFailuresPerIp }]),
      ];
      await identity.throttle.check("LOGIN_FAILURE", limits, now);
      const found = await findUserByEmail(identity.orm, emailKeyOf(request.email));
      const isRight = await identity.passwords.verifyOrPretend(request.password, found?.passwordHash);
      if (found === null || !isRight) {
        await identity.throttle.record(
          "LOGIN_FAILURE",
          limits.map((limit) => limit.key),
          now,
        );
        throw unauthenticated("email or password is wrong");
      }
      if (found.disableTime != null) throw permissionDenied("the account is disabled");
      await identity.throttle.clear("LOGIN_FAILURE", accountKey);
      const rehash = identity.passwords.needsRehash(found.passwordHash as string)
        ? await identity.passwords.hash(request.password)
        : undefined;
      return await identity.orm.em.fork().transactional(async (em) => {
        if (rehash !== undefined) {
          // Only over the hash just checked: a password changed meanwhile is not overwritten with the old one.
          await em.nativeUpdate(
            UserEntity,
            { id: found.id, passwordHash: found.passwordHash },
            { passwordHash: rehash },
          );
        }
        if (found.totpEnableTime != null) return await challengeAnswer(identity, em, found.id, passwordOnly, now);
        await em.nativeUpdate(UserEntity, { id: found.id }, { lastLoginTime: now });
        const user = { ...found, lastLoginTime: now };
        return { user: userMessage(user), tokens: await openSession(identity, em, user, now) };
      });
    };
  },
});
