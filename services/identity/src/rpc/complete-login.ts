import { defineRpc, permissionDenied, unauthenticated } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { UserEntity } from "../entities/user.js";
import type { Identity } from "../identity.js";
import { openSession } from "../sign-in.js";
import { userMessage } from "../store/messages.js";
import { liveChallenge, recoveryCodesLeft, spendChallenge } from "../store/two-factor.js";
import { findUser } from "../store/users.js";
import { type CodeKind, codeGuessLimits, spendCode, withCode } from "../two-factor.js";
import { checkGiven } from "./request-rules.js";

const wrongCode = "the code is wrong or was used already";

/**
 * IdentityService.CompleteLogin: the second half of a Login or SignInWithSocial whose account has
 * two-factor sign-in on. The challenge says whose first factor was right, and which (a password, a
 * provider); a TOTP code (a step not used before) or an unspent recovery code then opens the session,
 * whose tokens carry that factor's `amr` and "otp": ["pwd", "otp"], ["fed", "otp"]. Wrong codes are
 * throttled like wrong passwords, per account (`user:<id>`, apart from the address's password failures,
 * which the right password cleared) and per client IP, with Login's limits: whoever has the first factor
 * still gets only a handful of guesses at a code per window. The challenge outlives wrong codes (until it
 * expires) so a mistyped code does not mean signing in again.
 */
export const completeLogin = defineRpc(IdentityService.method.completeLogin, {
  rules(request, check) {
    checkGiven(check, "challenge", request.challenge);
    checkGiven(check, "code", request.code, 100);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const challenge = await liveChallenge(identity.orm, request.challenge, now);
      if (challenge === null) throw unauthenticated("the sign-in challenge is unknown, expired or used: sign in again");
      const limits = codeGuessLimits(identity, challenge.userId, call);
      await identity.throttle.check("LOGIN_FAILURE", limits, now);
      const outcome = await identity.orm.em.fork().transactional(async (em) => {
        const user = await findUser(em, challenge.userId, true);
        if (user === null) throw unauthenticated("the sign-in challenge is unknown, expired or used: sign in again");
        if (user.disableTime != null) throw permissionDenied("the account is disabled");
        if (user.totpEnableTime == null) {
          throw unauthenticated("two-factor sign-in was turned off meanwhile: sign in again");
        }
        const kind: CodeKind | null = await spendCode(identity.twoFactor, em, user.id, request.code, now, {
          recovery: true,
        });
        if (kind === null) return null;
        // Of two requests with one challenge (and two right codes) one signs in; the other's spent code
        // is rolled back with its transaction.
        if (!(await spendChallenge(em, challenge.id, now))) {
          throw unauthenticated("the sign-in challenge is unknown, expired or used: sign in again");
        }
        await em.nativeUpdate(UserEntity, { id: user.id }, { lastLoginTime: now });
        const signedIn = { ...user, lastLoginTime: now };
        return {
          user: userMessage(signedIn),
          tokens: await openSession(identity, em, signedIn, now, withCode(challenge.amr)),
          recoveryCodeUsed: kind === "recovery",
          recoveryCodesLeft: await recoveryCodesLeft(em, user.id),
        };
      });
      if (outcome === null) {
        await identity.throttle.record(
          "LOGIN_FAILURE",
          limits.map((limit) => limit.key),
          now,
        );
        throw unauthenticated(wrongCode);
      }
      await identity.throttle.clear("LOGIN_FAILURE", `user:${challenge.userId}`);
      if (outcome.recoveryCodeUsed) {
        call.log.info({ userId: challenge.userId, left: outcome.recoveryCodesLeft }, "signed in with a recovery code");
      }
      return outcome;
    };
  },
});
