import { decodePageToken, defineRpc, encodePageToken, isTimeAndId, pageSizeOf } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeAdmin } from "../callers.js";
import type { Identity } from "../identity.js";
import { partnerClientMessage } from "../store/messages.js";
import { listPartnerClients as listClientPage } from "../store/partner-clients.js";

/** ListPartnerClients' page sizes, as the proto gives them. */
const pageSizes = { default: 50, max: 200 };

/** IdentityService.ListPartnerClients: partner clients for admins, newest first, AIP-158 pages; no secrets. */
export const listPartnerClients = defineRpc(IdentityService.method.listPartnerClients, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler(identity: Identity) {
    return async (request, call) => {
      await activeAdmin(identity.orm.em.fork(), call);
      const filter = { showRevoked: request.showRevoked };
      const after = decodePageToken("partner_clients", filter, request.pageToken, isTimeAndId);
      const { clients, last } = await listClientPage(
        identity.orm,
        filter,
        after,
        pageSizeOf(request.pageSize, pageSizes),
      );
      return {
        clients: clients.map(partnerClientMessage),
        nextPageToken: last ? encodePageToken("partner_clients", filter, last) : "",
      };
    };
  },
});
