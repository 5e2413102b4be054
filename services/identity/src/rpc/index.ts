/**
 * One entry per RPC of IdentityService and IdentityInternalService, each from its own file
 * (`IdentityService.ChangePassword` → `change-password.ts`); the RPCs not built yet share `not-yet-built.ts`.
 */
export { changePassword } from "./change-password.js";
export { disableUser } from "./disable-user.js";
export { enableUser } from "./enable-user.js";
export { getJwks } from "./get-jwks.js";
export { getMe } from "./get-me.js";
export { getRevokedSubjects } from "./get-revoked-subjects.js";
export { getUser } from "./get-user.js";
export { listUsers } from "./list-users.js";
export { login } from "./login.js";
export { logout } from "./logout.js";
export {
  createPartnerClient,
  issueClientToken,
  linkSocialAccount,
  listPartnerClients,
  revokePartnerClient,
  signInWithSocial,
  unlinkSocialAccount,
} from "./not-yet-built.js";
export { refresh } from "./refresh.js";
export { register } from "./register.js";
export { requestPasswordReset } from "./request-password-reset.js";
export { resetPassword } from "./reset-password.js";
export { sendVerificationEmail } from "./send-verification-email.js";
export { setUserRoles } from "./set-user-roles.js";
export { updateProfile } from "./update-profile.js";
export { verifyEmail } from "./verify-email.js";
