import { randomUUID } from "node:crypto";
import { type Checker, callerIdOf, defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeAdmin } from "../callers.js";
import { emailAddressOf } from "../domain/email-address.js";
import { isPartnerScope, orderedScopes, partnerScopes } from "../domain/partner-scopes.js";
import { PartnerClientEntity } from "../entities/partner-client.js";
import type { Identity } from "../identity.js";
import { partnerClientMessage } from "../store/messages.js";
import { hashOfSecret, newSecret } from "../store/secrets.js";
import { checkDisplayName, checkEmail } from "./request-rules.js";

/**
 * IdentityService.CreatePartnerClient: a new OAuth2 client with the scopes an admin grants it, and its
 * secret — 256 random bits, returned here once and stored only as its SHA-256. Repeated scopes are
 * dropped (the client lists each once); an unknown one is INVALID_ARGUMENT at its index.
 */
export const createPartnerClient = defineRpc(IdentityService.method.createPartnerClient, {
  rules(request, check) {
    const client = request.client;
    if (!check.present("client", client) || client === undefined) return;
    checkDisplayName(check, "client.display_name", client.displayName);
    checkScopes(check, "client.scopes", client.scopes);
    if (client.contactEmail.trim() !== "") checkEmail(check, "client.contact_email", client.contactEmail);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const fields = request.client;
      if (fields === undefined) throw new Error("rules let a request without client through");
      const secret = newSecret();
      const row: PartnerClientEntity = {
        clientId: randomUUID(),
        displayName: fields.displayName.trim(),
        scopes: orderedScopes(fields.scopes),
        contactEmail: fields.contactEmail.trim() === "" ? "" : emailAddressOf(fields.contactEmail).address,
        secretHash: hashOfSecret(secret),
        secretHint: secret.slice(-4),
        creatorUserId: callerIdOf(call),
        createTime: new Date(),
        lastUseTime: null,
        revokeTime: null,
        revokedBy: null,
      };
      await identity.orm.em.fork().transactional(async (em) => {
        await activeAdmin(em, call);
        await em.insert(PartnerClientEntity, row);
      });
      call.log.info(
        { clientId: row.clientId, scopes: row.scopes, adminId: row.creatorUserId },
        "partner client created",
      );
      return { client: partnerClientMessage(row), clientSecret: secret };
    };
  },
});

/** At least one scope, each a Marquee partner scope (see `partnerScopes`). */
export function checkScopes(check: Checker, field: string, scopes: readonly string[]): void {
  check.that(field, scopes.length > 0, "must name at least one scope");
  check.each(field, scopes, (scope, path) => {
    check.that(path, isPartnerScope(scope), `must be one of ${partnerScopes.join(", ")}`);
  });
}
