import type { Route } from "../../router.js";
import { AdminOrderPage } from "./order-page.js";
import { AdminOrdersPage } from "./orders-page.js";
import { AdminReportsPage } from "./reports-page.js";
import { AdminUserPage } from "./user-page.js";
import { AdminUsersPage } from "./users-page.js";

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
