/**
 * The demo accounts `npm start` prints: real identity accounts, made the way anyone's are — Register,
 * the mailed verification link (read from the launcher's mail sink), Login — and given their roles by
 * identity's `grant-role` bootstrap: the admin because no RPC can make the first admin, the organizer
 * because SetUserRoles needs an admin signed in with a second factor (a TOTP code), which a launcher has
 * no phone for; the demo admin keeps two-factor sign-in off, so that `npm start` can print a token and a
 * password that work as they are. On a second start with kept data they already exist and simply sign in.
 */
import { Code, ConnectError, createClient, type MeshClient } from "@marquee/mesh";
import type { MailSink } from "@marquee/mesh/local";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { Role, type TokenSet, type User } from "@marquee/proto/marquee/identity/v1/resources_pb.js";

/** The password of every demo account; printed by `npm start`, so never reuse it anywhere real. */
export const demoPassword = "demo tickets for everyone";

/** The demo accounts' addresses and names; mail to them lands in the launcher's sink. */
export const demoAccounts = {
  organizer: { email: "organizer@marquee.localhost", displayName: "Demo Organizer" },
  customer: { email: "customer@marquee.localhost", displayName: "Demo Customer" },
  admin: { email: "admin@marquee.localhost", displayName: "Demo Admin" },
} as const;

export type DemoRole = keyof typeof demoAccounts;

/** A demo account, signed in. */
export interface DemoAccount {
  readonly email: string;
  readonly password: string;
  readonly userId: string;
  /** Its session: the access token carries its roles. */
  readonly tokens: TokenSet;
}

export interface DemoAccountOptions {
  /** `host:port` of identity. */
  readonly identityAddress: string;
  /** The sink identity mails to (`SMTP_URL`): where the verification links arrive. */
  readonly mail: MailSink;
  /** Runs identity's `grant-role` bootstrap: `grant-role <email> <role>`. */
  readonly grantRole: (email: string, role: "admin" | "organizer") => Promise<void>;
  readonly say: (line: string) => void;
}

/** Makes (or, when they exist, signs in) the organizer, the customer and the admin. */
export async function signInDemoAccounts(options: DemoAccountOptions): Promise<Record<DemoRole, DemoAccount>> {
  const identity = createClient(IdentityService, { address: options.identityAddress, timeoutMs: 20_000 });
  try {
    const admin = await ensureAccount(identity, options, "admin");
    const adminWithRole = admin.user.roles.includes(Role.ADMIN)
      ? admin
      : await (async () => {
          await options.grantRole(admin.email, "admin");
          return await signIn(identity, admin.email);
        })();
    const organizer = await ensureAccount(identity, options, "organizer");
    const organizerWithRole = organizer.user.roles.includes(Role.ORGANIZER)
      ? organizer
      : await (async () => {
          await options.grantRole(organizer.email, "organizer");
          return await signIn(identity, organizer.email);
        })();
    const customer = await ensureAccount(identity, options, "customer");
    const demo = (account: SignedIn): DemoAccount => ({
      email: account.email,
      password: demoPassword,
      userId: account.user.id,
      tokens: account.tokens,
    });
    return { organizer: demo(organizerWithRole), customer: demo(customer), admin: demo(adminWithRole) };
  } finally {
    identity.close();
  }
}

interface SignedIn {
  readonly email: string;
  readonly user: User;
  readonly tokens: TokenSet;
}

/** Registers the account, or signs it in when it exists; then verifies its address unless it is. */
async function ensureAccount(
  identity: MeshClient<typeof IdentityService>,
  options: DemoAccountOptions,
  role: DemoRole,
): Promise<SignedIn> {
  const { email, displayName } = demoAccounts[role];
  const mailsBefore = options.mail.mails.length;
  let account: SignedIn;
  let isNew = true;
  try {
    account = signedIn(email, await identity.register({ email, password: demoPassword, displayName }));
  } catch (error) {
    if (!(error instanceof ConnectError && error.code === Code.AlreadyExists)) throw error;
    isNew = false;
    account = await signIn(identity, email);
  }
  if (account.user.emailVerified) return account;
  // A new account's welcome mail is on its way; an old unverified one (a start that stopped half-way)
  // asks for another.
  if (!isNew) await identity.sendVerificationEmail({}, { token: account.tokens.accessToken });
  const token = await verificationToken(options.mail, email, mailsBefore);
  const { user } = await identity.verifyEmail({ token });
  options.say(`demo ${role} ${email} ${isNew ? "registered and " : ""}verified through its mailed link`);
  return { ...account, user: user ?? account.user };
}

async function signIn(identity: MeshClient<typeof IdentityService>, email: string): Promise<SignedIn> {
  try {
    return signedIn(email, await identity.login({ email, password: demoPassword }));
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.Unauthenticated) {
      throw new Error(
        `the demo account ${email} exists but does not sign in with the demo password (was it changed?): set it back with RequestPasswordReset, whose link reaches the mail sink, or remove the data folder`,
        { cause: error },
      );
    }
    throw error;
  }
}

function signedIn(email: string, answer: { user?: User; tokens?: TokenSet }): SignedIn {
  if (answer.user === undefined || answer.tokens === undefined)
    throw new Error(
      `identity signed ${email} in without tokens: was two-factor sign-in turned on for it? Turn it off (DisableTotp) or remove the data folder`,
    );
  return { email, user: answer.user, tokens: answer.tokens };
}

/** The token of the first verification link mailed to `email` after the first `skip` mails, within 15 s. */
async function verificationToken(mail: MailSink, email: string, skip: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for (const received of mail.mails.slice(skip)) {
      if (!received.to.includes(email)) continue;
      const link = received.links.find((candidate) => candidate.includes("/verify-email#"));
      const token = link === undefined ? null : new URLSearchParams(new URL(link).hash.slice(1)).get("token");
      if (token) return token;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no verification mail to ${email} reached the mail sink within 15 s`);
}
