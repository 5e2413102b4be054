/**
 * One entry per RPC of IdentityService and IdentityInternalService, each from its own file
 * (`IdentityService.ChangePassword` → `change-password.ts`).
 */
export { changePassword } from "./change-password.js";
export { completeLogin } from "./complete-login.js";
export { confirmTotp } from "./confirm-totp.js";
export { createPartnerClient } from "./create-partner-client.js";
export { disableTotp } from "./disable-totp.js";
export { disableUser } from "./disable-user.js";
export { enableUser } from "./enable-user.js";
export { enrollTotp } from "./enroll-totp.js";
export { getJwks } from "./get-jwks.js";
export { getMe } from "./get-me.js";
export { getRevokedSubjects } from "./get-revoked-subjects.js";
export { getUser } from "./get-user.js";
export { issueClientToken } from "./issue-client-token.js";
export { linkSocialAccount } from "./link-social-account.js";
export { listPartnerClients } from "./list-partner-clients.js";
export { listUsers } from "./list-users.js";
export { login } from "./login.js";
export { logout } from "./logout.js";
export { refresh } from "./refresh.js";
export { register } from "./register.js";
export { requestPasswordReset } from "./request-password-reset.js";
export { resetPassword } from "./reset-password.js";
export { revokePartnerClient } from "./revoke-partner-client.js";
export { sendVerificationEmail } from "./send-verification-email.js";
export { setUserRoles } from "./set-user-roles.js";
export { signInWithSocial } from "./sign-in-with-social.js";
export { startSocialSignIn } from "./start-social-sign-in.js";
export { unlinkSocialAccount } from "./unlink-social-account.js";
export { updateProfile } from "./update-profile.js";
export { verifyEmail } from "./verify-email.js";
