import type { ReactNode } from "react";
import { type MessageKey, useI18n } from "../../i18n/index.js";
import { Link, useLocation } from "../../router.js";

/** The admin pages' sections, as the tabs show them; a page belongs to the tab whose path starts its own. */
const sections: ReadonlyArray<readonly [path: string, label: MessageKey]> = [
  ["/admin", "admin.nav.reports"],
  ["/admin/users", "admin.nav.users"],
  ["/admin/orders", "admin.nav.orders"],
];

/** The frame of every admin page: tabs between reports, users and orders, then the page's heading. */
export function AdminLayout({ title, children }: { title: ReactNode; children: ReactNode }) {
  const { t } = useI18n();
  const { path } = useLocation();
  // "/admin" prefixes every path, so the longest matching prefix names the current section.
  const current = sections
    .filter(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))
    .sort((a, b) => b[0].length - a[0].length)[0]?.[0];
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label={t("admin.nav.label")} className="tabs tabs-box w-fit">
        {sections.map(([href, label]) => (
          <Link
            key={href}
            href={href}
            className={`tab text-base-content ${href === current ? "tab-active" : ""}`}
            aria-current={href === current ? "page" : undefined}
          >
            {t(label)}
          </Link>
        ))}
      </nav>
      <h1 className="text-2xl font-bold">{title}</h1>
      {children}
    </div>
  );
}

/** "Show more" under a paged list, while the server says more remain (AIP-158's next_page_token). */
export function LoadMore(props: { hasMore: boolean; isLoading: boolean; onMore: () => void }) {
  const { t } = useI18n();
  if (!props.hasMore) return null;
  return (
    <button
      type="button"
      className="btn btn-outline btn-sm self-start"
      disabled={props.isLoading}
      onClick={props.onMore}
    >
      {t("admin.more")}
    </button>
  );
}
