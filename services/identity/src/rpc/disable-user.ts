import { callerIdOf, defineRpc, failedPrecondition, notFound } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeAdmin } from "../callers.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { revokeSessionsOf } from "../store/sessions.js";
import { findUser } from "../store/users.js";

/**
 * IdentityService.DisableUser: the account can no longer sign in or refresh (every session is revoked),
 * identity refuses its calls at once, and from now on the user is on the revoked-subjects list that
 * verifiers poll (IdentityInternalService.GetRevokedSubjects), so the rest of Marquee refuses their
 * still-unexpired access tokens within seconds. Disabling a disabled account changes nothing.
 */
export const disableUser = defineRpc(IdentityService.method.disableUser, {
  rules(request, check) {
    check.id("user_id", request.userId);
    check.maxLength("reason", request.reason, 500);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const user = await identity.orm.em.fork().transactional(async (em) => {
        const admin = await activeAdmin(em, call);
        if (admin.id === request.userId) throw failedPrecondition("an admin cannot disable their own account");
        const user = await findUser(em, request.userId, true);
        if (user === null) throw notFound("user", request.userId);
        if (user.disableTime != null) return user;
        user.disableTime = now;
        user.disableReason = request.reason;
        user.disabledBy = admin.id;
        user.updateTime = now;
        await em.flush();
        await revokeSessionsOf(em, user.id, "USER_DISABLED", now);
        return user;
      });
      call.log.info({ userId: user.id, adminId: callerIdOf(call) }, "user disabled");
      return { user: userMessage(user) };
    };
  },
});
