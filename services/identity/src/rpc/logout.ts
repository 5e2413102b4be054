import { Code, ConnectError, callerIdOf, defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { Identity } from "../identity.js";
import { revokeSession, revokeSessionsOf, sessionOfToken } from "../store/sessions.js";
import { checkGiven } from "./request-rules.js";

/**
 * IdentityService.Logout: revokes the session of the given refresh token — the whole family, so no token
 * rotated from it works either — or every session of the caller. Open to a disabled account: ending its
 * sessions harms nothing.
 */
export const logout = defineRpc(IdentityService.method.logout, {
  rules(request, check) {
    if (!request.allSessions) checkGiven(check, "refresh_token", request.refreshToken);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const userId = callerIdOf(call);
      const now = new Date();
      const em = identity.orm.em.fork();
      if (request.allSessions) {
        return { revokedCount: await revokeSessionsOf(em, userId, "LOGOUT", now) };
      }
      const session = await sessionOfToken(identity.orm, request.refreshToken);
      if (session === undefined || session.userId !== userId) {
        // Said the same for a token of nobody and one of someone else; the token is not echoed: it is a secret.
        throw new ConnectError("the refresh token was not issued to you", Code.NotFound);
      }
      return { revokedCount: await revokeSession(em, session.id, "LOGOUT", now) };
    };
  },
});
