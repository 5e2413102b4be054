import { badRequest, Checker, defineRpc, invalidArgument, permissionDenied } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { Identity } from "../identity.js";
import { consumeLinkToken } from "../store/link-tokens.js";
import { revokeSessionsOf } from "../store/sessions.js";
import { findUser } from "../store/users.js";
import { checkGiven, checkNewPassword } from "./request-rules.js";

/**
 * IdentityService.ResetPassword: consumes the link's token and sets the new password in one transaction
 * — a password the policy refuses leaves the token unused, so the user can try another — then revokes
 * every session (whoever knew the old password is signed out) and counts the address as verified: the
 * link reached it.
 */
export const resetPassword = defineRpc(IdentityService.method.resetPassword, {
  rules(request, check) {
    checkGiven(check, "token", request.token);
    checkNewPassword(check, "new_password", request.newPassword);
  },
  handler(identity: Identity) {
    return async (request) => {
      const now = new Date();
      // Hashed before the transaction, so the user's row is not locked through a scrypt.
      const passwordHash = await identity.passwords.hash(request.newPassword);
      await identity.orm.em.fork().transactional(async (em) => {
        const userId = await consumeLinkToken(em, request.token, "RESET_PASSWORD", now);
        const user = userId === undefined ? null : await findUser(em, userId, true);
        if (user === null) throw invalidArgument("token", "is not a valid link: unknown, expired or already used");
        if (user.disableTime != null) throw permissionDenied("the account is disabled");
        const check = new Checker();
        checkNewPassword(check, "new_password", request.newPassword, user.email);
        if (check.violations.length > 0) throw badRequest(check.violations);
        user.passwordHash = passwordHash;
        user.emailVerifyTime ??= now;
        user.updateTime = now;
        await em.flush();
        await revokeSessionsOf(em, user.id, "PASSWORD_RESET", now);
      });
      return {};
    };
  },
});
