import { type Checker, callerIdOf, defineRpc, invalidArgument } from "@marquee/mesh";
import { NotificationKind, NotificationService } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { applyMask, e164, type MaskPath, maskPaths, requiredEmailKinds } from "../domain/preferences.js";
import type { Notifications } from "../notifications.js";
import { toPreferencesMessage } from "../store/messages.js";
import { loadPreferences, lockPreferences, savePreferences } from "../store/preferences.js";

/** The mask's paths that name a field (the rules refused any other before the handler runs). */
function pathsOf(paths: readonly string[] | undefined): MaskPath[] {
  return maskPaths.filter((path) => (paths ?? []).includes(path));
}

/** A list of kinds without UNSPECIFIED (a value the enum does not declare the mesh refuses before the rules). */
function checkKinds(check: Checker, field: string, kinds: readonly NotificationKind[]): void {
  check.each(field, kinds, (kind, path) => {
    check.that(path, kind !== NotificationKind.UNSPECIFIED, "must not be NOTIFICATION_KIND_UNSPECIFIED");
  });
}

/**
 * NotificationService.UpdateNotificationPreferences: the fields the mask names, each replaced whole, for
 * notifications created after it returns (how that holds against the consumers: `store/preferences.ts`).
 * The rule that needs the stored values — SMS kinds only with a phone number, once applied — is checked
 * in the transaction, against what it would store.
 */
export const updateNotificationPreferences = defineRpc(NotificationService.method.updateNotificationPreferences, {
  rules(request, check) {
    const mask = request.updateMask?.paths ?? [];
    // An empty list is a value ("no SMS"), so an empty mask cannot mean "every field given".
    if (!check.that("update_mask", mask.length > 0, "is required: name the fields to change")) return;
    check.each("update_mask.paths", mask, (path, field) => {
      check.that(field, (maskPaths as readonly string[]).includes(path), `must be one of ${maskPaths.join(", ")}`);
    });
    check.unique("update_mask.paths", mask);
    const paths = pathsOf(mask);
    const preferences = request.preferences;
    if (paths.includes("email_kinds")) {
      const emailKinds = preferences?.emailKinds ?? [];
      checkKinds(check, "preferences.email_kinds", emailKinds);
      for (const kind of requiredEmailKinds) {
        check.that(
          "preferences.email_kinds",
          emailKinds.includes(kind),
          `must contain NOTIFICATION_KIND_${NotificationKind[kind]}: it is always sent by email`,
        );
      }
    }
    if (paths.includes("sms_kinds")) checkKinds(check, "preferences.sms_kinds", preferences?.smsKinds ?? []);
    if (paths.includes("sms_phone_number")) {
      const phone = preferences?.smsPhoneNumber ?? "";
      if (phone !== "") {
        check.matches(
          "preferences.sms_phone_number",
          phone,
          e164,
          'must be in E.164 form, for example "+8801712345678", or empty for none',
        );
      }
    }
  },
  handler(notifications: Notifications) {
    return async (request, call) => {
      const userId = callerIdOf(call);
      const paths = pathsOf(request.updateMask?.paths);
      const change = {
        emailKinds: request.preferences?.emailKinds ?? [],
        smsKinds: request.preferences?.smsKinds ?? [],
        smsPhoneNumber: request.preferences?.smsPhoneNumber ?? "",
      };
      const updated = await notifications.orm.em.fork().transactional(async (em) => {
        await lockPreferences(em, userId, "exclusive");
        const next = applyMask(await loadPreferences(em, userId), change, paths, new Date());
        if (next.smsKinds.length > 0 && next.smsPhoneNumber === "") {
          // Name the field this request set: the kinds it asked for, or the number it cleared.
          const field = paths.includes("sms_kinds") ? "preferences.sms_kinds" : "preferences.sms_phone_number";
          throw invalidArgument(field, "SMS kinds need an sms_phone_number once the change is applied");
        }
        await savePreferences(em, userId, next);
        return next;
      });
      return { preferences: toPreferencesMessage(updated) };
    };
  },
});
