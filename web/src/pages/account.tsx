import { useQuery } from "@connectrpc/connect-query";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { SocialProvider, type TokenSet, type User } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { currentSession, sessionOf, setSession } from "../api/session.js";
import { clientOf } from "../api/transport.js";
import { webConfig } from "../api/web-config.js";
import { ErrorAlert } from "../components/error-alert.js";
import { TextField } from "../components/form-fields.js";
import { QrCode } from "../components/qr-code.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { Link, navigate, useLocation } from "../router.js";

const identity = clientOf(IdentityService);

/** Where the social sign-in's flow key and return path wait for the provider's callback (this tab only). */
const socialFlowKey = "marquee.socialFlow";

/** Where to go after signing in: the page that sent the user here, never another origin. */
function nextPath(query: URLSearchParams): string {
  const next = query.get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function signedIn(tokens: TokenSet | undefined, user: User | undefined, next: string) {
  if (!tokens || !user) throw new Error("identity answered no session");
  setSession(sessionOf(tokens, user));
  navigate(next, { replace: true });
}

/** A form with a title, its error, and a submit running `onSubmit` with the busy state shown. */
function AccountForm(props: {
  title: MessageKey;
  submit: MessageKey;
  onSubmit: () => Promise<void>;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(undefined);
  const [isBusy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card bg-base-100 shadow-sm mx-auto w-full max-w-md" onSubmit={submit}>
      <div className="card-body gap-3">
        <h1 className="card-title text-2xl">{t(props.title)}</h1>
        {error ? <ErrorAlert error={error} /> : null}
        {props.children}
        <button type="submit" className="btn btn-primary" disabled={isBusy}>
          {t(props.submit)}
        </button>
        {props.footer}
      </div>
    </form>
  );
}

/** Sign in with e-mail and password (and the second factor when it is on), or with Google. */
export function SignInPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const next = nextPath(query);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<string | undefined>(undefined);

  if (challenge) return <SecondFactorForm challenge={challenge} next={next} />;
  return (
    <AccountForm
      title="signIn.title"
      submit="signIn.submit"
      onSubmit={async () => {
        const answer = await identity.login({ email, password });
        if (answer.mfaChallenge) setChallenge(answer.mfaChallenge);
        else signedIn(answer.tokens, answer.user, next);
      }}
      footer={
        <>
          <div className="divider">{t("common.or")}</div>
          <SocialSignInButton next={next} />
          <p className="text-sm">
            <Link href={`/register?next=${encodeURIComponent(next)}`} className="link">
              {t("signIn.register")}
            </Link>{" "}
            ·{" "}
            <Link href="/reset-password" className="link">
              {t("signIn.forgot")}
            </Link>
          </p>
        </>
      }
    >
      <TextField
        required
        label="account.email"
        type="email"
        value={email}
        onChange={setEmail}
        autoComplete="username"
      />
      <TextField
        required
        label="account.password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="current-password"
      />
    </AccountForm>
  );
}

/**
 * The second step of a sign-in for a user with two-factor sign-in on, after a password (Login) or a
 * social provider (SignInWithSocial): a code from the authenticator app, or a recovery code.
 */
function SecondFactorForm({ challenge, next }: { challenge: string; next: string }) {
  const { t } = useI18n();
  const [code, setCode] = useState("");
  return (
    <AccountForm
      title="signIn.secondFactor"
      submit="signIn.verify"
      onSubmit={async () => {
        const answer = await identity.completeLogin({ challenge, code: code.trim() });
        signedIn(answer.tokens, answer.user, next);
      }}
    >
      <p>{t("signIn.codeHelp")}</p>
      <TextField required label="signIn.code" value={code} onChange={setCode} autoComplete="one-time-code" />
    </AccountForm>
  );
}

/** Starts the OpenID Connect flow: identity builds the provider's URL (PKCE, state, nonce) and keeps the verifier. */
function SocialSignInButton({ next }: { next: string }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(undefined);
  const [isOffered, setOffered] = useState(false);
  useEffect(() => {
    void webConfig().then(
      (config) => setOffered(config.socialProviders.includes("google")),
      () => setOffered(false),
    );
  }, []);
  const start = async () => {
    try {
      const flow = await identity.startSocialSignIn({ provider: SocialProvider.GOOGLE });
      sessionStorage.setItem(socialFlowKey, JSON.stringify({ flowKey: flow.flowKey, next }));
      location.assign(flow.authorizationUrl);
    } catch (caught) {
      setError(caught);
    }
  };
  if (!isOffered) return null;
  return (
    <>
      {error ? <ErrorAlert error={error} /> : null}
      <button type="button" className="btn btn-outline" onClick={start}>
        {t("signIn.google")}
      </button>
    </>
  );
}

/** Where the provider sends the browser back: identity completes the flow with this URL and the flow key. */
export function SocialCallbackPage() {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(undefined);
  const [challenge, setChallenge] = useState<{ id: string; next: string } | undefined>(undefined);
  const started = useRef(false);
  useEffect(() => {
    // The code in the URL can be redeemed once: React's development double effect must not send it twice.
    if (started.current) return;
    started.current = true;
    const saved = JSON.parse(sessionStorage.getItem(socialFlowKey) ?? "{}") as { flowKey?: string; next?: string };
    sessionStorage.removeItem(socialFlowKey);
    identity
      .signInWithSocial({ provider: SocialProvider.GOOGLE, callbackUrl: location.href, flowKey: saved.flowKey ?? "" })
      .then((answer) => {
        if (answer.mfaChallenge) setChallenge({ id: answer.mfaChallenge, next: saved.next ?? "/" });
        else signedIn(answer.tokens, answer.user, saved.next ?? "/");
      })
      .catch(setError);
  }, []);
  if (challenge) return <SecondFactorForm challenge={challenge.id} next={challenge.next} />;
  return error ? <ErrorAlert error={error} /> : <p>{t("signIn.completing")}</p>;
}

export function RegisterPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  return (
    <AccountForm
      title="register.title"
      submit="register.submit"
      onSubmit={async () => {
        const answer = await identity.register({ email, password, displayName });
        signedIn(answer.tokens, answer.user, nextPath(query));
      }}
    >
      <TextField required label="account.name" value={displayName} onChange={setDisplayName} autoComplete="name" />
      <TextField required label="account.email" type="email" value={email} onChange={setEmail} autoComplete="email" />
      <TextField
        required
        label="account.password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="new-password"
        minLength={12}
      />
      <p className="text-sm opacity-80">{t("register.passwordRules")}</p>
    </AccountForm>
  );
}

/** The link of the verification mail: `/verify-email#token=…` (a fragment, so it never reaches a log). */
export function VerifyEmailPage() {
  const { t } = useI18n();
  const [state, setState] = useState<"checking" | "done" | unknown>("checking");
  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
    identity
      .verifyEmail({ token })
      .then(() => setState("done"))
      .catch(setState);
  }, []);
  if (state === "checking") return <p>{t("common.loading")}</p>;
  if (state === "done") return <p role="status">{t("verify.done")}</p>;
  return <ErrorAlert error={state} />;
}

/** Asks for a reset link, or, opened from that link (`#token=…`), sets the new password. */
export function ResetPasswordPage() {
  const { t } = useI18n();
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [isDone, setDone] = useState(false);
  if (isDone) {
    return (
      <p role="status" className="alert alert-success">
        {t(token ? "reset.changed" : "reset.sent")}
      </p>
    );
  }
  return token ? (
    <AccountForm
      title="reset.title"
      submit="reset.change"
      onSubmit={async () => {
        await identity.resetPassword({ token, newPassword: password });
        setDone(true);
      }}
    >
      <TextField
        required
        label="reset.newPassword"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="new-password"
      />
    </AccountForm>
  ) : (
    <AccountForm
      title="reset.title"
      submit="reset.send"
      onSubmit={async () => {
        await identity.requestPasswordReset({ email });
        setDone(true);
      }}
    >
      <TextField required label="account.email" type="email" value={email} onChange={setEmail} autoComplete="email" />
    </AccountForm>
  );
}

/** The signed-in user's profile: name and e-mail, and signing out everywhere this session reached. */
export function ProfilePage() {
  const { t } = useI18n();
  const session = currentSession();
  const [displayName, setDisplayName] = useState(session?.displayName ?? "");
  const [isSaved, setSaved] = useState(false);
  if (!session) return <SignInPage />;
  return (
    <AccountForm
      title="profile.title"
      submit="profile.save"
      onSubmit={async () => {
        const { user } = await identity.updateProfile({
          user: { displayName },
          updateMask: { paths: ["display_name"] },
        });
        if (user) setSession({ ...session, displayName: user.displayName });
        setSaved(true);
      }}
    >
      {isSaved ? <p role="status">{t("profile.saved")}</p> : null}
      <p>{session.email}</p>
      <TextField required label="account.name" value={displayName} onChange={setDisplayName} autoComplete="name" />
    </AccountForm>
  );
}

/**
 * Two-factor sign-in for organizers and admins (identity lets only them turn it on): the secret as a QR
 * code drawn in the page and as text, confirmed with a first code; then the recovery codes, shown once.
 * Role changes and large refunds need a session signed in with it.
 */
export function TwoFactorSection() {
  const { t } = useI18n();
  const me = useQuery(IdentityService.method.getMe, {});
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | undefined>(undefined);
  const [recoveryCodes, setRecoveryCodes] = useState<readonly string[]>([]);
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const run = async (step: () => Promise<void>) => {
    setError(undefined);
    try {
      await step();
      setCode("");
      await me.refetch();
    } catch (caught) {
      setError(caught);
    }
  };
  const isOn = me.data?.user?.totpEnabled ?? false;
  return (
    <section className="card bg-base-100 shadow-sm mx-auto mt-6 w-full max-w-md" aria-labelledby="two-factor-heading">
      <div className="card-body gap-3">
        <h2 id="two-factor-heading" className="card-title">
          {t("twoFactor.title")}
        </h2>
        {error ? <ErrorAlert error={error} /> : null}
        <p role="status" data-testid="two-factor-state">
          {t(isOn ? "twoFactor.on" : "twoFactor.off")}
        </p>
        {recoveryCodes.length > 0 ? (
          <div className="alert alert-warning flex-col items-start">
            <p>{t("twoFactor.recoveryHelp")}</p>
            <ul className="font-mono" aria-label={t("twoFactor.recoveryCodes")} data-testid="recovery-codes">
              {recoveryCodes.map((recovery) => (
                <li key={recovery}>{recovery}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {!isOn && enrolment === undefined ? (
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() =>
              run(async () => {
                const answer = await identity.enrollTotp({});
                setEnrolment({ secret: answer.secret, uri: answer.otpauthUri });
              })
            }
          >
            {t("twoFactor.turnOn")}
          </button>
        ) : null}
        {!isOn && enrolment ? (
          <>
            <p>{t("twoFactor.scan")}</p>
            <QrCode payload={enrolment.uri} label={t("twoFactor.qr")} size={180} />
            <p className="font-mono break-all" data-testid="totp-secret">
              {enrolment.secret}
            </p>
            <TextField label="signIn.code" value={code} onChange={setCode} autoComplete="one-time-code" />
            <button
              type="button"
              className="btn btn-primary"
              onClick={() =>
                run(async () => {
                  const answer = await identity.confirmTotp({ code: code.trim() });
                  setRecoveryCodes(answer.recoveryCodes);
                  setEnrolment(undefined);
                })
              }
            >
              {t("twoFactor.confirm")}
            </button>
          </>
        ) : null}
        {isOn ? (
          <>
            <TextField label="signIn.code" value={code} onChange={setCode} autoComplete="one-time-code" />
            <button
              type="button"
              className="btn btn-outline"
              onClick={() =>
                run(async () => {
                  await identity.disableTotp({ code: code.trim() });
                  setRecoveryCodes([]);
                })
              }
            >
              {t("twoFactor.turnOff")}
            </button>
          </>
        ) : null}
      </div>
    </section>
  );
}

/** Ends the session at identity (its refresh token revoked) and here. */
export async function signOut(): Promise<void> {
  const session = currentSession();
  setSession(undefined);
  if (session) await identity.logout({ refreshToken: session.refreshToken }).catch(() => {});
  navigate("/");
}
