import { defineRpc, notFound } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeAdmin } from "../callers.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { findUser } from "../store/users.js";

/**
 * IdentityService.EnableUser: the account may sign in again, and leaves the revoked-subjects list. Its
 * sessions stay revoked: the user signs in anew.
 */
export const enableUser = defineRpc(IdentityService.method.enableUser, {
  rules(request, check) {
    check.id("user_id", request.userId);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const user = await identity.orm.em.fork().transactional(async (em) => {
        await activeAdmin(em, call);
        const user = await findUser(em, request.userId, true);
        if (user === null) throw notFound("user", request.userId);
        if (user.disableTime == null) return user;
        user.disableTime = null;
        user.disableReason = "";
        user.updateTime = new Date();
        await em.flush();
        return user;
      });
      return { user: userMessage(user) };
    };
  },
});
