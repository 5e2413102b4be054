import { defineRpc, notFound } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeAdmin } from "../callers.js";
import type { Identity } from "../identity.js";
import { partnerClientMessage } from "../store/messages.js";
import { findPartnerClient } from "../store/partner-clients.js";

/**
 * IdentityService.RevokePartnerClient, for good: IssueClientToken refuses the client from now on, and it
 * is on the revoked-subjects list (`client:<client_id>`, IdentityInternalService.GetRevokedSubjects)
 * until its last token has expired, so the BFF and every service refuse its tokens already issued within
 * seconds. Revoking a revoked client changes nothing.
 */
export const revokePartnerClient = defineRpc(IdentityService.method.revokePartnerClient, {
  rules(request, check) {
    check.id("client_id", request.clientId);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const now = new Date();
      const client = await identity.orm.em.fork().transactional(async (em) => {
        const admin = await activeAdmin(em, call);
        const client = await findPartnerClient(em, request.clientId, true);
        if (client === null) throw notFound("partner client", request.clientId);
        if (client.revokeTime != null) return client;
        client.revokeTime = now;
        client.revokedBy = admin.id;
        await em.flush();
        call.log.info({ clientId: client.clientId, adminId: admin.id }, "partner client revoked");
        return client;
      });
      return { client: partnerClientMessage(client) };
    };
  },
});
