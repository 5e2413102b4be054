import { defineRpc, failedPrecondition } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import { providerNameOf } from "../domain/social-providers.js";
import type { Identity } from "../identity.js";
import { checkProvider } from "../social/proof-rules.js";
import { userMessage } from "../store/messages.js";
import { linksOf, unlinkAccount } from "../store/social-links.js";

/**
 * IdentityService.UnlinkSocialAccount. The last way into an account is kept: an account without a
 * password keeps its only link (it could still reset a password by mail, but the contract asks the user to
 * set one first). Under the caller's row lock, so two unlinks racing cannot both pass that check.
 */
export const unlinkSocialAccount = defineRpc(IdentityService.method.unlinkSocialAccount, {
  rules(request, check) {
    checkProvider(check, request.provider);
  },
  handler(identity: Identity) {
    return async (request, call) =>
      await identity.orm.em.fork().transactional(async (em) => {
        const caller = await activeCaller(em, call, true);
        const provider = providerNameOf(request.provider);
        const links = await linksOf(em, caller.id);
        if (provider === undefined || !links.some((link) => link.provider === provider)) {
          return { user: userMessage(caller, links) };
        }
        if (caller.passwordHash == null && links.length === 1) {
          throw failedPrecondition(
            "this link is the account's only way to sign in: set a password with ChangePassword, or link another provider, first",
          );
        }
        await unlinkAccount(em, caller.id, provider);
        return { user: userMessage(caller, await linksOf(em, caller.id)) };
      });
  },
});
