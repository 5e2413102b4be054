import { useInfiniteQuery } from "@connectrpc/connect-query";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { Role } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { type FormEvent, useState } from "react";
import { ErrorAlert } from "../../components/error-alert.js";
import { SelectField, TextField } from "../../components/form-fields.js";
import { Loading } from "../../components/loading.js";
import { type MessageKey, useI18n } from "../../i18n/index.js";
import { formatDateTime } from "../../lib/format.js";
import { Link, navigate, useLocation } from "../../router.js";
import { AdminLayout, LoadMore } from "./admin-layout.js";

/** The roles an admin grants and filters by, in the order identity lists them (resources.proto: User.roles). */
export const roleKeys: ReadonlyArray<readonly [Role, MessageKey]> = [
  [Role.CUSTOMER, "admin.role.customer"],
  [Role.ORGANIZER, "admin.role.organizer"],
  [Role.ADMIN, "admin.role.admin"],
];

export const roleKeyOf = (role: Role): MessageKey =>
  roleKeys.find(([value]) => value === role)?.[1] ?? "admin.role.customer";

/** `/admin/users`: accounts, newest first, found by a part of their e-mail address and by role. */
export function AdminUsersPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const email = query.get("email") ?? "";
  const role = Number(query.get("role") ?? Role.UNSPECIFIED) as Role;
  return (
    <AdminLayout title={t("admin.users.title")}>
      <UserSearch key={`${email}/${role}`} email={email} role={role} />
      <UserResults email={email} role={role} />
    </AdminLayout>
  );
}

function UserSearch(props: { email: string; role: Role }) {
  const { t } = useI18n();
  const [email, setEmail] = useState(props.email);
  const [role, setRole] = useState(props.role);
  const search = (event: FormEvent) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (email.trim()) query.set("email", email.trim());
    if (role !== Role.UNSPECIFIED) query.set("role", String(role));
    navigate(`/admin/users${query.size > 0 ? `?${query}` : ""}`);
  };
  return (
    <form
      className="grid grid-cols-1 items-end gap-3 sm:grid-cols-3"
      onSubmit={search}
      aria-label={t("admin.users.search")}
    >
      <TextField label="admin.users.email" type="search" value={email} onChange={setEmail} />
      <SelectField
        label="admin.users.role"
        value={role}
        onChange={(value) => setRole(Number(value) as Role)}
        options={[[Role.UNSPECIFIED, t("admin.users.anyRole")], ...roleKeys.map(([r, key]) => [r, t(key)] as const)]}
      />
      <button type="submit" className="btn btn-primary">
        {t("admin.search")}
      </button>
    </form>
  );
}

function UserResults({ email, role }: { email: string; role: Role }) {
  const { t, locale } = useI18n();
  const users = useInfiniteQuery(
    IdentityService.method.listUsers,
    { emailQuery: email, role, pageSize: 25, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (page) => page.nextPageToken || undefined },
  );
  if (users.error) return <ErrorAlert error={users.error} />;
  if (!users.data) return <Loading />;
  const rows = users.data.pages.flatMap((page) => page.users);
  return (
    <>
      {rows.length === 0 ? <p>{t("admin.users.none")}</p> : null}
      <div className="overflow-x-auto">
        <table className="table bg-base-100" aria-label={t("admin.users.results")}>
          <thead>
            <tr>
              <th scope="col">{t("admin.users.email")}</th>
              <th scope="col">{t("admin.users.name")}</th>
              <th scope="col">{t("admin.users.roles")}</th>
              <th scope="col">{t("admin.users.status")}</th>
              <th scope="col">{t("admin.users.created")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((user) => (
              <tr key={user.id} data-testid="admin-user-row">
                <td>
                  <Link href={`/admin/users/${user.id}`} className="link">
                    {user.email}
                  </Link>
                </td>
                <td>{user.displayName}</td>
                <td>{user.roles.map((r) => t(roleKeyOf(r))).join(", ")}</td>
                <td>{t(user.disabled ? "admin.user.disabled" : "admin.user.enabled")}</td>
                <td>{formatDateTime(user.createTime?.seconds, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore
        hasMore={users.hasNextPage}
        isLoading={users.isFetchingNextPage}
        onMore={() => void users.fetchNextPage()}
      />
    </>
  );
}
