import { defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";

/** IdentityService.GetMe: the caller's account as it is now. */
export const getMe = defineRpc(IdentityService.method.getMe, {
  rules() {
    // GetMeRequest has no fields: the caller comes from the token.
  },
  handler(identity: Identity) {
    return async (_request, call) => ({ user: userMessage(await activeCaller(identity.orm.em.fork(), call)) });
  },
});
