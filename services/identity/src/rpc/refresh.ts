import { defineRpc, unauthenticated } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { Identity } from "../identity.js";
import { tokensFor } from "../sign-in.js";
import { rotate } from "../store/sessions.js";
import { findUser } from "../store/users.js";
import { checkGiven } from "./request-rules.js";

/**
 * IdentityService.Refresh: rotation with reuse detection (see `rotate`). Every refusal reads the same —
 * unknown, expired, revoked, reused or a disabled account — so a stolen token teaches nothing. The new
 * access token carries the roles the user has now.
 */
export const refresh = defineRpc(IdentityService.method.refresh, {
  rules(request, check) {
    checkGiven(check, "refresh_token", request.refreshToken);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const rotation = await rotate(identity.orm, request.refreshToken, now, async (em, userId) => {
        const user = await findUser(em, userId);
        return user === null || user.disableTime != null ? undefined : user;
      });
      if (rotation.outcome === "reused") {
        call.log.warn(
          { userId: rotation.userId, sessionId: rotation.sessionId },
          "a rotated refresh token was presented again: its session is revoked",
        );
      }
      if (rotation.outcome !== "rotated") throw unauthenticated("the refresh token is not valid; sign in again");
      return { tokens: await tokensFor(identity, rotation.user, rotation.refresh, now) };
    };
  },
});
