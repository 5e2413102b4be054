import { defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { linksOf } from "../store/social-links.js";

/** IdentityService.GetMe: the caller's account as it is now. */
export const getMe = defineRpc(IdentityService.method.getMe, {
  rules() {
    // GetMeRequest has no fields: the caller comes from the token.
  },
  handler(identity: Identity) {
    return async (_request, call) => {
      const em = identity.orm.em.fork();
      const user = await activeCaller(em, call);
      return { user: userMessage(user, await linksOf(em, user.id)) };
    };
  },
});
