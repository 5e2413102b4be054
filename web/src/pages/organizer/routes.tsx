import type { Route } from "../../router.js";

/** The organizer pages (`/organizer/…`), each needing the organizer role. */
export const organizerRoutes: readonly Route[] = [];
