import type { Route } from "../../router.js";

/** The admin pages (`/admin/…`), each needing the admin role. */
export const adminRoutes: readonly Route[] = [];
