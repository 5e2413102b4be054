import { alreadyExists, defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import type { Identity } from "../identity.js";
import { checkProof } from "../social/proof-rules.js";
import { providerAccountOf } from "../social/provider-account.js";
import { userMessage } from "../store/messages.js";
import { findLink, linkAccount, linksOf } from "../store/social-links.js";

/**
 * IdentityService.LinkSocialAccount: the signed-in caller links a provider account they just proved
 * (the same proofs as SignInWithSocial). The provider's email need not be the caller's, nor verified: the
 * caller is signed in, and the provider account signs in nobody else. The caller is checked before the
 * provider is asked (a disabled account spends no flow), and again under the row lock.
 */
export const linkSocialAccount = defineRpc(IdentityService.method.linkSocialAccount, {
  rules(request, check) {
    checkProof(check, request);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      await activeCaller(identity.orm.em.fork(), call);
      const account = await providerAccountOf(identity, request);
      return await identity.orm.em.fork().transactional(async (em) => {
        const caller = await activeCaller(em, call, true);
        const link = await findLink(em, account.provider, account.subject);
        if (link !== null && link.userId !== caller.id) {
          throw alreadyExists("this provider account is linked to another Marquee account");
        }
        if (link === null) await linkAccount(em, caller.id, account, new Date());
        return { user: userMessage(caller, await linksOf(em, caller.id)) };
      });
    };
  },
});
