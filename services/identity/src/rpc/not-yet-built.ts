import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, defineRpc, type HandlerOf, type RpcEntry } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { Identity } from "../identity.js";

/**
 * The RPCs of the contract that identity does not serve yet (issue #22, items 3 and 5): partner client
 * credentials and social sign-in. Every served method needs an entry, so each has one that answers
 * UNIMPLEMENTED, saying what is missing, and checks nothing.
 */
function notYetBuilt<M extends DescMethod>(method: M, what: string): RpcEntry<M, Identity> {
  return defineRpc(method, {
    rules() {
      // Nothing to check: the call is refused whatever it holds.
    },
    handler() {
      // Every unary handler's shape: the conditional HandlerOf<M> cannot be resolved for a generic M.
      return (async () => {
        throw new ConnectError(`${method.name}: ${what} is not built yet (issue #22)`, Code.Unimplemented);
      }) as HandlerOf<M>;
    },
  });
}

const partnerClients = "partner client credentials";
const socialSignIn = "social sign-in over OpenID Connect";

export const issueClientToken = notYetBuilt(IdentityService.method.issueClientToken, partnerClients);
export const createPartnerClient = notYetBuilt(IdentityService.method.createPartnerClient, partnerClients);
export const listPartnerClients = notYetBuilt(IdentityService.method.listPartnerClients, partnerClients);
export const revokePartnerClient = notYetBuilt(IdentityService.method.revokePartnerClient, partnerClients);
export const linkSocialAccount = notYetBuilt(IdentityService.method.linkSocialAccount, socialSignIn);
export const unlinkSocialAccount = notYetBuilt(IdentityService.method.unlinkSocialAccount, socialSignIn);
export const signInWithSocial = notYetBuilt(IdentityService.method.signInWithSocial, socialSignIn);
