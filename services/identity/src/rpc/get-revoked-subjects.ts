import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { defineRpc } from "@marquee/mesh";
import { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import type { Identity } from "../identity.js";
import { recentlyDisabled } from "../store/users.js";

/**
 * IdentityInternalService.GetRevokedSubjects: the users disabled within the last access-token lifetime
 * (plus slack) who are still disabled. Anyone disabled longer ago holds no unexpired token, and a
 * disabled user gets no new ones, so the list stays as short as the recent disables.
 */
export const getRevokedSubjects = defineRpc(IdentityInternalService.method.getRevokedSubjects, {
  rules() {
    // GetRevokedSubjectsRequest has no fields.
  },
  handler(identity: Identity) {
    return async () => {
      const retainMs = identity.lifetimes.revocationMs;
      const disabled = await recentlyDisabled(identity.orm, new Date(Date.now() - retainMs));
      return {
        subjects: disabled.map(({ id, disableTime }) => ({
          subject: id,
          revokeTime: timestampFromDate(disableTime),
          expireTime: timestampFromDate(new Date(disableTime.getTime() + retainMs)),
        })),
      };
    };
  },
});
