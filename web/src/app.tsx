import { type ReactNode, Suspense, useSyncExternalStore } from "react";
import { currentSession, subscribeToSession } from "./api/session.js";
import { Loading } from "./components/loading.js";
import { type Language, languages, setLanguage, useI18n } from "./i18n/index.js";
import {
  ProfilePage,
  RegisterPage,
  ResetPasswordPage,
  SignInPage,
  SocialCallbackPage,
  signOut,
  TwoFactorSection,
  VerifyEmailPage,
} from "./pages/account.js";
import { adminRoutes } from "./pages/admin/routes.js";
import { CheckoutPage } from "./pages/checkout-page.js";
import { EventPage } from "./pages/event-page.js";
import { HomePage } from "./pages/home.js";
import { MyTicketsPage } from "./pages/my-tickets.js";
import { OrderPage } from "./pages/order-page.js";
import { organizerRoutes } from "./pages/organizer/routes.js";
import { Link, match, type Route, useLocation } from "./router.js";

/** The pages by path; the BFF answers each path with the app, so every one can be bookmarked. */
const routes: readonly Route[] = [
  { pattern: "/", render: () => <HomePage /> },
  { pattern: "/events/:eventId", render: ({ eventId = "" }) => <EventPage key={eventId} eventId={eventId} /> },
  { pattern: "/checkout/:holdId", render: ({ holdId = "" }) => <CheckoutPage holdId={holdId} />, needs: "customer" },
  { pattern: "/orders/:orderId", render: ({ orderId = "" }) => <OrderPage orderId={orderId} />, needs: "customer" },
  { pattern: "/tickets", render: () => <MyTicketsPage />, needs: "customer" },
  {
    pattern: "/profile",
    render: () => (
      <>
        <ProfilePage />
        {currentSession()?.roles.some((role) => role === "organizer" || role === "admin") ? <TwoFactorSection /> : null}
      </>
    ),
    needs: "customer",
  },
  { pattern: "/sign-in", render: () => <SignInPage /> },
  { pattern: "/register", render: () => <RegisterPage /> },
  { pattern: "/reset-password", render: () => <ResetPasswordPage /> },
  { pattern: "/verify-email", render: () => <VerifyEmailPage /> },
  { pattern: "/auth/callback/google", render: () => <SocialCallbackPage /> },
  ...organizerRoutes,
  ...adminRoutes,
];

export function App() {
  const { t } = useI18n();
  const { path } = useLocation();
  const session = useSyncExternalStore(subscribeToSession, currentSession, currentSession);
  let page: ReactNode = <p>{t("common.notFound")}</p>;
  for (const route of routes) {
    const params = match(route.pattern, path);
    if (!params) continue;
    if (route.needs && !session) page = <SignInPage />;
    else if (route.needs && !session?.roles.includes(route.needs)) page = <p role="alert">{t("error.forbidden")}</p>;
    else page = route.render(params);
    break;
  }
  return (
    <>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2 focus:bg-base-100">
        {t("nav.skip")}
      </a>
      <header className="navbar flex-wrap gap-y-1 bg-base-100 shadow-sm px-4">
        <div className="flex-1">
          <Link href="/" className="text-xl font-bold text-primary">
            Marquee
          </Link>
        </div>
        {/* On a phone the links stay on one line and scroll sideways inside the bar, not the page. */}
        <nav
          className="flex max-w-full items-center gap-1 overflow-x-auto whitespace-nowrap"
          aria-label={t("nav.label")}
        >
          <Link href="/" className="btn btn-ghost btn-sm">
            {t("nav.events")}
          </Link>
          {session ? (
            <>
              <Link href="/tickets" className="btn btn-ghost btn-sm">
                {t("nav.tickets")}
              </Link>
              {session.roles.includes("organizer") ? (
                <Link href="/organizer" className="btn btn-ghost btn-sm">
                  {t("nav.organizer")}
                </Link>
              ) : null}
              {session.roles.includes("admin") ? (
                <Link href="/admin" className="btn btn-ghost btn-sm">
                  {t("nav.admin")}
                </Link>
              ) : null}
              <Link href="/profile" className="btn btn-ghost btn-sm" data-testid="signed-in-as">
                {session.displayName}
              </Link>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => void signOut()}>
                {t("nav.signOut")}
              </button>
            </>
          ) : (
            <Link href="/sign-in" className="btn btn-primary btn-sm">
              {t("nav.signIn")}
            </Link>
          )}
          <LanguagePicker />
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-6xl p-4">
        <Suspense fallback={<Loading />}>{page}</Suspense>
      </main>
    </>
  );
}

function LanguagePicker() {
  const { t, lang } = useI18n();
  return (
    <label className="flex items-center gap-1">
      <span className="sr-only">{t("nav.language")}</span>
      <select
        className="select select-sm select-ghost"
        value={lang}
        onChange={(event) => setLanguage(event.target.value as Language)}
      >
        {Object.entries(languages).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
