import { failedPrecondition } from "../errors.js";
import { hasSecondFactor, type Principal } from "../principal.js";

/** The PreconditionFailure type of a call refused for want of a second factor. */
export const mfaRequiredType = "MFA_REQUIRED";

/**
 * Refuses a high-risk action (an admin's SetUserRoles, a large refund) unless the caller's token comes from
 * a sign-in with a second factor: FAILED_PRECONDITION with a PreconditionFailure of type `MFA_REQUIRED`
 * naming the caller, as the contract documents it. The state of the caller's sign-in forbids the call,
 * not who they are, so it is not PERMISSION_DENIED: the same user may do it after signing in again.
 */
export function requireSecondFactor(principal: Principal | undefined, action: string): void {
  if (hasSecondFactor(principal)) return;
  throw failedPrecondition(`${action} needs a sign-in with a second factor`, [
    {
      type: mfaRequiredType,
      subject: `user:${principal?.subject ?? ""}`,
      description:
        "the access token is not from a sign-in with a second factor: turn on two-factor sign-in (IdentityService.EnrollTotp, ConfirmTotp) if it is off, sign in again (Login, then CompleteLogin with a code) and retry with the new access token",
    },
  ]);
}
