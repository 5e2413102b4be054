import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { useI18n } from "../../i18n/index.js";

/** The PreconditionFailure type of a high-risk call refused for want of a second factor (mesh's `mfaRequiredType`). */
const mfaRequiredType = "MFA_REQUIRED";

/**
 * Whether the server refused the call because the admin's sign-in had no second factor: SetUserRoles
 * always, RefundOrder above the configured amount (identity.proto, ordering.proto). The same admin may do
 * it after signing in again with a code, so the page says that instead of a generic "not possible".
 */
export function needsSecondFactor(error: unknown): boolean {
  const connectError = ConnectError.from(error);
  return (
    connectError.code === Code.FailedPrecondition &&
    connectError
      .findDetails(PreconditionFailureSchema)
      .some((detail) => detail.violations.some((violation) => violation.type === mfaRequiredType))
  );
}

/** A failed admin action told in the admin's language, a second factor's absence in words of its own. */
export function AdminErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!needsSecondFactor(error)) return <ErrorAlert error={error} />;
  return (
    <div role="alert" className="alert alert-warning" data-testid="second-factor-required">
      <div>
        <p className="font-semibold">{t("admin.secondFactor.title")}</p>
        <p>{t("admin.secondFactor.howTo")}</p>
      </div>
    </div>
  );
}
