import { defineRpc, notFound } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeAdmin } from "../callers.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { linksOf } from "../store/social-links.js";
import { findUser } from "../store/users.js";

/** IdentityService.GetUser: one account, for admins. */
export const getUser = defineRpc(IdentityService.method.getUser, {
  rules(request, check) {
    check.id("user_id", request.userId);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const em = identity.orm.em.fork();
      await activeAdmin(em, call);
      const user = await findUser(em, request.userId);
      if (user === null) throw notFound("user", request.userId);
      return { user: userMessage(user, await linksOf(em, user.id)) };
    };
  },
});
