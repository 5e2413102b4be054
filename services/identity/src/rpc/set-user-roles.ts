import { defineRpc, failedPrecondition, notFound, requireSecondFactor } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { Role } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { activeAdmin } from "../callers.js";
import { roleNamesOf } from "../domain/roles.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { findUser } from "../store/users.js";

const known = new Set([Role.CUSTOMER, Role.ORGANIZER, Role.ADMIN]);

/**
 * IdentityService.SetUserRoles: replaces a user's roles (customer always kept). New access tokens carry
 * them; those already issued keep the old roles until they expire, as the contract says — but identity's
 * own admin RPCs check the admin role as stored (see `activeAdmin`), so a demoted admin loses them at once.
 *
 * Handing out roles is the most powerful thing an account can do, so it needs a second factor (seed 003:
 * 2FA for high-risk actions): the admin's token must come from a sign-in completed with a code (`amr`
 * holds "otp"), else FAILED_PRECONDITION MFA_REQUIRED. Every admin, not only those who turned two-factor
 * sign-in on: an admin whose password leaked and who never enrolled is the case this guards. The first
 * admin and the launcher's demo accounts get their roles from the `grant-role` bootstrap instead.
 */
export const setUserRoles = defineRpc(IdentityService.method.setUserRoles, {
  rules(request, check) {
    check.id("user_id", request.userId);
    check.each("roles", request.roles, (role, field) => {
      check.that(field, known.has(role), "must be ROLE_CUSTOMER, ROLE_ORGANIZER or ROLE_ADMIN");
    });
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const roles = roleNamesOf(request.roles);
      const user = await identity.orm.em.fork().transactional(async (em) => {
        const admin = await activeAdmin(em, call);
        requireSecondFactor(call.principal, "SetUserRoles");
        if (admin.id === request.userId && !roles.includes("admin")) {
          throw failedPrecondition("an admin cannot remove their own admin role: ask another admin");
        }
        const user = await findUser(em, request.userId, true);
        if (user === null) throw notFound("user", request.userId);
        if (user.roles.join() !== roles.join()) {
          user.roles = roles;
          user.updateTime = new Date();
          await em.flush();
        }
        return user;
      });
      return { user: userMessage(user) };
    };
  },
});
