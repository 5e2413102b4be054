import { defineRpc, invalidArgument } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { Identity } from "../identity.js";
import { consumeLinkToken } from "../store/link-tokens.js";
import { userMessage } from "../store/messages.js";
import { findUser } from "../store/users.js";
import { checkGiven } from "./request-rules.js";

/**
 * IdentityService.VerifyEmail: consumes the link's token and marks the address verified. Needs no
 * sign-in: the token is the proof, and the link may be opened on another device. A disabled account's
 * address can be verified too; that changes nothing about what it may do.
 */
export const verifyEmail = defineRpc(IdentityService.method.verifyEmail, {
  rules(request, check) {
    checkGiven(check, "token", request.token);
  },
  handler(identity: Identity) {
    return async (request) => {
      const now = new Date();
      const user = await identity.orm.em.fork().transactional(async (em) => {
        const userId = await consumeLinkToken(em, request.token, "VERIFY_EMAIL", now);
        const user = userId === undefined ? null : await findUser(em, userId, true);
        if (user === null) throw invalidArgument("token", "is not a valid link: unknown, expired or already used");
        if (user.emailVerifyTime == null) {
          user.emailVerifyTime = now;
          user.updateTime = now;
          await em.flush();
        }
        return user;
      });
      return { user: userMessage(user) };
    };
  },
});
