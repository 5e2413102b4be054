import { useQuery } from "@connectrpc/connect-query";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { Role, type User } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { currentSession } from "../../api/session.js";
import { clientOf } from "../../api/transport.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { TextField } from "../../components/form-fields.js";
import { Loading } from "../../components/loading.js";
import { useI18n } from "../../i18n/index.js";
import { formatDateTime } from "../../lib/format.js";
import { Link } from "../../router.js";
import { AdminErrorAlert } from "./admin-error.js";
import { AdminLayout } from "./admin-layout.js";
import { roleKeyOf, roleKeys } from "./users-page.js";

const identity = clientOf(IdentityService);

/** `/admin/users/:userId`: one account, its roles, and disabling or enabling it. */
export function AdminUserPage({ userId }: { userId: string }) {
  const { t } = useI18n();
  const user = useQuery(IdentityService.method.getUser, { userId });
  const found = user.data?.user;
  return (
    <AdminLayout title={found ? found.displayName : t("admin.user.title")}>
      {user.error ? <ErrorAlert error={user.error} /> : null}
      {user.isPending ? <Loading /> : null}
      {found ? (
        <>
          <UserFacts user={found} />
          <RolesForm user={found} />
          <AccessForm user={found} />
          <Link href={`/admin/orders?user=${found.id}`} className="link">
            {t("admin.user.orders")}
          </Link>
        </>
      ) : null}
      <Link href="/admin/users" className="link">
        {t("admin.user.back")}
      </Link>
    </AdminLayout>
  );
}

function UserFacts({ user }: { user: User }) {
  const { t, locale } = useI18n();
  const yesNo = (value: boolean) => t(value ? "admin.yes" : "admin.no");
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 wrap-anywhere">
      <dt className="font-semibold">{t("admin.users.email")}</dt>
      <dd>{user.email}</dd>
      <dt className="font-semibold">{t("admin.user.id")}</dt>
      <dd className="font-mono text-xs">{user.id}</dd>
      <dt className="font-semibold">{t("admin.users.roles")}</dt>
      <dd>{user.roles.map((role) => t(roleKeyOf(role))).join(", ")}</dd>
      <dt className="font-semibold">{t("admin.users.status")}</dt>
      <dd data-testid="admin-user-status">
        {user.disabled
          ? t("admin.user.disabledSince", { time: formatDateTime(user.disableTime?.seconds, locale) })
          : t("admin.user.enabled")}
      </dd>
      <dt className="font-semibold">{t("admin.user.emailVerified")}</dt>
      <dd>{yesNo(user.emailVerified)}</dd>
      <dt className="font-semibold">{t("admin.user.twoFactor")}</dt>
      <dd>{yesNo(user.totpEnabled)}</dd>
      <dt className="font-semibold">{t("admin.users.created")}</dt>
      <dd>{formatDateTime(user.createTime?.seconds, locale)}</dd>
      <dt className="font-semibold">{t("admin.user.lastSignIn")}</dt>
      <dd>{user.lastLoginTime ? formatDateTime(user.lastLoginTime.seconds, locale) : t("admin.user.never")}</dd>
    </dl>
  );
}

/** Runs an admin action with its busy state, its error, and the user's page read again after it. */
function useUserAction() {
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(undefined);
  const [isBusy, setBusy] = useState(false);
  const [isDone, setDone] = useState(false);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      await action();
      // Read the user again before saying it is done, so the message and the page agree.
      await queryClient.invalidateQueries();
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { error, isBusy, isDone, run };
}

/**
 * The user's roles. Identity keeps the customer role whatever is sent, so its box is shown checked and
 * fixed; and SetUserRoles needs the admin signed in with a second factor, which the refusal explains.
 */
function RolesForm({ user }: { user: User }) {
  const { t } = useI18n();
  const [roles, setRoles] = useState<ReadonlySet<Role>>(new Set(user.roles));
  const { error, isBusy, isDone, run } = useUserAction();
  const toggle = (role: Role) =>
    setRoles((before) => {
      const after = new Set(before);
      if (!after.delete(role)) after.add(role);
      return after;
    });
  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(() => identity.setUserRoles({ userId: user.id, roles: [...roles] }));
  };
  return (
    <form className="card bg-base-100 shadow-sm" onSubmit={save} aria-label={t("admin.user.rolesTitle")}>
      <fieldset className="card-body gap-2">
        <legend className="card-title float-left w-full">{t("admin.user.rolesTitle")}</legend>
        {error ? <AdminErrorAlert error={error} /> : null}
        {isDone ? (
          <p role="status" className="alert alert-success">
            {t("admin.user.rolesSaved")}
          </p>
        ) : null}
        {roleKeys.map(([role, key]) => (
          <label key={role} className="flex items-center gap-2">
            <input
              type="checkbox"
              className="checkbox"
              checked={role === Role.CUSTOMER || roles.has(role)}
              disabled={role === Role.CUSTOMER}
              onChange={() => toggle(role)}
            />
            <span>{t(key)}</span>
          </label>
        ))}
        <button type="submit" className="btn btn-primary self-start" disabled={isBusy}>
          {t("admin.user.saveRoles")}
        </button>
      </fieldset>
    </form>
  );
}

/** Disabling (with a reason for the audit log) or enabling the account; an admin cannot disable themself. */
function AccessForm({ user }: { user: User }) {
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const { error, isBusy, isDone, run } = useUserAction();
  const isSelf = currentSession()?.userId === user.id;
  const toggle = (event: FormEvent) => {
    event.preventDefault();
    void run(() =>
      user.disabled ? identity.enableUser({ userId: user.id }) : identity.disableUser({ userId: user.id, reason }),
    );
  };
  return (
    <form className="card bg-base-100 shadow-sm" onSubmit={toggle} aria-label={t("admin.user.accessTitle")}>
      <div className="card-body gap-2">
        <h2 className="card-title">{t("admin.user.accessTitle")}</h2>
        {error ? <AdminErrorAlert error={error} /> : null}
        {isDone ? (
          <p role="status" className="alert alert-success">
            {t(user.disabled ? "admin.user.disabledDone" : "admin.user.enabledDone")}
          </p>
        ) : null}
        {user.disabled ? (
          <p>{t("admin.user.enableHelp")}</p>
        ) : (
          <>
            <p>{t("admin.user.disableHelp")}</p>
            <TextField label="admin.user.reason" value={reason} onChange={setReason} maxLength={500} />
          </>
        )}
        <button
          type="submit"
          className={`btn self-start ${user.disabled ? "btn-primary" : "btn-error"}`}
          disabled={isBusy || isSelf}
        >
          {t(user.disabled ? "admin.user.enable" : "admin.user.disable")}
        </button>
      </div>
    </form>
  );
}
