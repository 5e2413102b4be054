import { decodePageToken, defineRpc, encodePageToken, isTimeAndId, pageSizeOf } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeAdmin } from "../callers.js";
import { emailKeyOf, maxEmailLength } from "../domain/email-address.js";
import { roleNameOf } from "../domain/roles.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { linksOfUsers } from "../store/social-links.js";
import { listUsers as listUserPage, type UserFilter } from "../store/users.js";

/** ListUsers' page sizes, as the proto gives them. */
const pageSizes = { default: 50, max: 200 };

/** IdentityService.ListUsers: accounts for admins, newest first, by address text, role and state. */
export const listUsers = defineRpc(IdentityService.method.listUsers, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
    check.maxLength("email_query", request.emailQuery, maxEmailLength);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      await activeAdmin(identity.orm.em.fork(), call);
      const emailContains = emailKeyOf(request.emailQuery);
      const role = roleNameOf(request.role);
      const filter: UserFilter = {
        ...(emailContains !== "" ? { emailContains } : {}),
        ...(role !== undefined ? { role } : {}),
        ...(request.disabledOnly ? { disabledOnly: true } : {}),
      };
      const after = decodePageToken("users", filter, request.pageToken, isTimeAndId);
      const { users, last } = await listUserPage(identity.orm, filter, after, pageSizeOf(request.pageSize, pageSizes));
      const links = await linksOfUsers(
        identity.orm.em.fork(),
        users.map((user) => user.id),
      );
      return {
        users: users.map((user) => userMessage(user, links.get(user.id))),
        nextPageToken: last ? encodePageToken("users", filter, last) : "",
      };
    };
  },
});
