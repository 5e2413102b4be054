import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { defineRpc } from "@marquee/mesh";
import { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import type { Identity } from "../identity.js";
import { recentlyRevokedClients } from "../store/partner-clients.js";
import { recentlyDisabled } from "../store/users.js";
import { clientSubjectOf } from "../tokens/client-tokens.js";

/**
 * IdentityInternalService.GetRevokedSubjects: the users disabled within the last access-token lifetime
 * (plus slack) who are still disabled, and the partner clients (`client:<client_id>`) revoked within the
 * last partner-token lifetime (plus slack). Anyone revoked longer ago holds no unexpired token, and a
 * revoked subject gets no new ones, so the list stays as short as the recent revocations.
 */
export const getRevokedSubjects = defineRpc(IdentityInternalService.method.getRevokedSubjects, {
  rules() {
    // GetRevokedSubjectsRequest has no fields.
  },
  handler(identity: Identity) {
    return async () => {
      const now = Date.now();
      const { revocationMs, partnerRevocationMs } = identity.lifetimes;
      const [disabled, revokedClients] = await Promise.all([
        recentlyDisabled(identity.orm, new Date(now - revocationMs)),
        recentlyRevokedClients(identity.orm, new Date(now - partnerRevocationMs)),
      ]);
      const subjects = [
        ...disabled.map(({ id, disableTime }) => ({ subject: id, revokeTime: disableTime, retainMs: revocationMs })),
        ...revokedClients.map(({ clientId, revokeTime }) => ({
          subject: clientSubjectOf(clientId),
          revokeTime,
          retainMs: partnerRevocationMs,
        })),
      ].sort((a, b) => a.revokeTime.getTime() - b.revokeTime.getTime());
      return {
        subjects: subjects.map(({ subject, revokeTime, retainMs }) => ({
          subject,
          revokeTime: timestampFromDate(revokeTime),
          expireTime: timestampFromDate(new Date(revokeTime.getTime() + retainMs)),
        })),
      };
    };
  },
});
