import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import * as oidc from "openid-client";
import type { Identity } from "../identity.js";
import { checkProvider } from "../social/proof-rules.js";
import { startFlow } from "../store/social-flows.js";

/** What Marquee asks every provider for: an ID token with the account's email (and whether verified) and name. */
const scope = "openid email profile";

/**
 * IdentityService.StartSocialSignIn: the first leg of the authorization code flow with PKCE. The nonce
 * and the code verifier never leave identity: the browser carries only the state (in the provider's URLs)
 * and the app keeps the flow key, which binds the callback to it. The redirect URI is the configured one,
 * never the caller's, so nobody can make identity send a code elsewhere.
 */
export const startSocialSignIn = defineRpc(IdentityService.method.startSocialSignIn, {
  rules(request, check) {
    checkProvider(check, request.provider);
  },
  handler(identity: Identity) {
    return async (request) => {
      const provider = await identity.social.provider(request.provider);
      const now = new Date();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      const flow = await startFlow(
        identity.orm.em.fork(),
        provider.settings.name,
        { nonce, codeVerifier },
        now,
        identity.social.flowTtlMs,
      );
      const authorizationUrl = oidc.buildAuthorizationUrl(provider.client, {
        redirect_uri: provider.settings.redirectUri,
        scope,
        state: flow.state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
      });
      return {
        authorizationUrl: authorizationUrl.href,
        state: flow.state,
        flowKey: flow.flowKey,
        expireTime: timestampFromDate(flow.expireTime),
      };
    };
  },
});
