import { timingSafeEqual } from "node:crypto";
import { defineRpc, isCanonicalUuid, permissionDenied, unauthenticated } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { isPartnerScope, orderedScopes, partnerScopes } from "../domain/partner-scopes.js";
import type { Identity } from "../identity.js";
import { clientTokenSetMessage } from "../store/messages.js";
import { findPartnerClient, touchPartnerClient } from "../store/partner-clients.js";
import { hashOfSecret } from "../store/secrets.js";
import { signClientToken } from "../tokens/client-tokens.js";
import { checkGiven } from "./request-rules.js";

/** Compared against when the client is unknown, so that case costs what a wrong secret costs. */
const noSecretHash = hashOfSecret("no client has this secret");

/**
 * IdentityService.IssueClientToken: the OAuth2 client-credentials grant (RFC 6749 §4.4). An unknown
 * client id, a revoked client and a wrong secret get one answer, UNAUTHENTICATED, after the same work
 * (one SHA-256 and a constant-time comparison), as RFC 6749 §5.2's `invalid_client` does not tell them
 * apart. Requested scopes must each be granted to the client (PERMISSION_DENIED naming those that are
 * not: the BFF's `invalid_scope`); none requested means all it is granted. The token lasts
 * PARTNER_TOKEN_TTL_S (1 hour) and comes without a refresh token: the client asks again with its
 * credentials.
 *
 * Not throttled here, unlike Login: a secret is 256 random bits, which no number of guesses finds, so a
 * limit would only let a stranger lock a partner out by its public id. Volume is the BFF's per-IP rate
 * limit's to bound.
 */
export const issueClientToken = defineRpc(IdentityService.method.issueClientToken, {
  rules(request, check) {
    checkGiven(check, "client_id", request.clientId);
    checkGiven(check, "client_secret", request.clientSecret);
    check.each("scopes", request.scopes, (scope, path) => {
      check.that(path, isPartnerScope(scope), `must be one of ${partnerScopes.join(", ")}`);
    });
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const client = isCanonicalUuid(request.clientId)
        ? await findPartnerClient(identity.orm.em.fork(), request.clientId)
        : null;
      const isRightSecret = timingSafeEqual(
        Buffer.from(hashOfSecret(request.clientSecret), "hex"),
        Buffer.from(client?.secretHash ?? noSecretHash, "hex"),
      );
      if (client === null || !isRightSecret || client.revokeTime != null) {
        throw unauthenticated("client authentication failed: unknown client, wrong secret, or a revoked client");
      }
      const notGranted = orderedScopes(request.scopes).filter((scope) => !client.scopes.includes(scope));
      if (notGranted.length > 0) {
        throw permissionDenied(`scopes not granted to this client: ${notGranted.join(", ")}`);
      }
      const scopes = request.scopes.length > 0 ? orderedScopes(request.scopes) : orderedScopes(client.scopes);
      const access = await signClientToken(
        identity.keys,
        { clientId: client.clientId, scopes },
        identity.lifetimes.partnerTokenSec,
        now,
      );
      await touchPartnerClient(identity.orm, client.clientId, now);
      call.log.debug({ clientId: client.clientId, scopes }, "partner token issued");
      return { tokens: clientTokenSetMessage(access, scopes) };
    };
  },
});
