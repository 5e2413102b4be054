import { defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { activeCaller } from "../callers.js";
import type { Identity } from "../identity.js";
import { userMessage } from "../store/messages.js";
import { checkDisplayName, checkPhoneNumber } from "./request-rules.js";

/** The fields a user may change about themselves, by mask path. */
const editable = ["display_name", "phone_number"] as const;
type Editable = (typeof editable)[number];

/**
 * The paths to change: the mask's, or with an empty mask every editable field that is non-empty in the
 * request (so a field left out is left alone).
 */
function pathsOf(request: { user?: { displayName: string; phoneNumber: string }; updateMask?: { paths: string[] } }) {
  const mask = request.updateMask?.paths ?? [];
  if (mask.length > 0) return mask;
  return editable.filter((path) => (path === "display_name" ? request.user?.displayName : request.user?.phoneNumber));
}

/** IdentityService.UpdateProfile: the caller's display name and phone number, by field mask. */
export const updateProfile = defineRpc(IdentityService.method.updateProfile, {
  rules(request, check) {
    if (!check.present("user", request.user) || request.user === undefined) return;
    const paths = pathsOf(request);
    check.each("update_mask.paths", request.updateMask?.paths ?? [], (path, field) => {
      check.that(field, (editable as readonly string[]).includes(path), `must be one of ${editable.join(", ")}`);
    });
    check.unique("update_mask.paths", request.updateMask?.paths ?? []);
    if (paths.includes("display_name")) checkDisplayName(check, "user.display_name", request.user.displayName);
    if (paths.includes("phone_number")) checkPhoneNumber(check, "user.phone_number", request.user.phoneNumber);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const paths = pathsOf(request) as Editable[];
      const user = await identity.orm.em.fork().transactional(async (em) => {
        const user = await activeCaller(em, call, true);
        if (paths.length === 0) return user;
        if (paths.includes("display_name")) user.displayName = request.user?.displayName.trim() ?? user.displayName;
        if (paths.includes("phone_number")) user.phoneNumber = request.user?.phoneNumber ?? "";
        user.updateTime = new Date();
        await em.flush();
        return user;
      });
      return { user: userMessage(user) };
    };
  },
});
