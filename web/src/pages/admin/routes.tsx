import { lazyPage, type Route } from "../../router.js";

const AdminOrderPage = lazyPage(() => import("./order-page.js").then((page) => page.AdminOrderPage));
const AdminOrdersPage = lazyPage(() => import("./orders-page.js").then((page) => page.AdminOrdersPage));
const AdminReportsPage = lazyPage(() => import("./reports-page.js").then((page) => page.AdminReportsPage));
const AdminUserPage = lazyPage(() => import("./user-page.js").then((page) => page.AdminUserPage));
const AdminUsersPage = lazyPage(() => import("./users-page.js").then((page) => page.AdminUsersPage));

/** The admin pages (`/admin/…`), each needing the admin role. */
export const adminRoutes: readonly Route[] = [
  { pattern: "/admin", render: () => <AdminReportsPage />, needs: "admin" },
  { pattern: "/admin/users", render: () => <AdminUsersPage />, needs: "admin" },
  {
    pattern: "/admin/users/:userId",
    render: ({ userId = "" }) => <AdminUserPage key={userId} userId={userId} />,
    needs: "admin",
  },
  { pattern: "/admin/orders", render: () => <AdminOrdersPage />, needs: "admin" },
  {
    pattern: "/admin/orders/:orderId",
    render: ({ orderId = "" }) => <AdminOrderPage key={orderId} orderId={orderId} />,
    needs: "admin",
  },
];
