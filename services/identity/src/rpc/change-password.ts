import { badRequest, Checker, defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import { normalPassword } from "../domain/password-policy.js";
import { UserEntity } from "../entities/user.js";
import type { Identity } from "../identity.js";
import { openSession } from "../sign-in.js";
import { revokeSessionsOf } from "../store/sessions.js";
import { checkNewPassword } from "./request-rules.js";

/**
 * IdentityService.ChangePassword: needs the current password (none for an account that has none), then
 * revokes every session of the caller — signing out every other device, and any thief — and opens a new
 * one for this device. Wrong current passwords count as failed sign-ins of the address, so a stolen
 * access token cannot be used to guess the password either.
 */
export const changePassword = defineRpc(IdentityService.method.changePassword, {
  rules(request, check) {
    checkNewPassword(check, "new_password", request.newPassword);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const caller = await activeCaller(identity.orm.em.fork(), call);
      const accountKey = `email:${caller.emailKey}`;
      const limit = [{ key: accountKey, max: identity.limits.loginFailuresPerAccount }];
      await identity.throttle.check("LOGIN_FAILURE", limit, now);
      const check = new Checker();
      if (caller.passwordHash == null) {
        check.that("current_password", request.currentPassword === "", "must be empty: the account has no password");
      } else if (!(await identity.passwords.verify(request.currentPassword, caller.passwordHash))) {
        await identity.throttle.record("LOGIN_FAILURE", [accountKey], now);
        check.that("current_password", false, "is wrong");
      }
      checkNewPassword(check, "new_password", request.newPassword, caller.email);
      check.that(
        "new_password",
        normalPassword(request.newPassword) !== normalPassword(request.currentPassword),
        "must differ from the current password",
      );
      if (check.violations.length > 0) throw badRequest(check.violations);
      const passwordHash = await identity.passwords.hash(request.newPassword);
      const tokens = await identity.orm.em.fork().transactional(async (em) => {
        const user = await activeCaller(em, call, true);
        // Over the hash just checked: of two changes racing with one current password, one wins.
        const changed = await em.nativeUpdate(
          UserEntity,
          { id: user.id, passwordHash: caller.passwordHash },
          { passwordHash, updateTime: now },
        );
        if (changed === 0) throw badRequest([{ field: "current_password", description: "is wrong" }]);
        await revokeSessionsOf(em, user.id, "PASSWORD_CHANGED", now);
        // This device's sign-in stays as it was made: a session with a second factor keeps saying so.
        return await openSession(identity, em, user, now, call.principal?.amr?.length ? call.principal.amr : ["pwd"]);
      });
      return { tokens };
    };
  },
});
