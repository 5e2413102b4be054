import { lazyPage, type Route } from "../../router.js";

const EventEditorPage = lazyPage(() => import("./event-editor-page.js").then((page) => page.EventEditorPage));
const OrganizerHome = lazyPage(() => import("./organizer-home.js").then((page) => page.OrganizerHome));
const SalesPage = lazyPage(() => import("./sales-page.js").then((page) => page.SalesPage));
const VenueEditorPage = lazyPage(() => import("./venue-editor-page.js").then((page) => page.VenueEditorPage));

/** The organizer pages (`/organizer/…`), each needing the organizer role; `new` before the id it would match. */
export const organizerRoutes: readonly Route[] = [
  { pattern: "/organizer", render: () => <OrganizerHome />, needs: "organizer" },
  { pattern: "/organizer/venues/new", render: () => <VenueEditorPage />, needs: "organizer" },
  {
    pattern: "/organizer/venues/:venueId",
    render: ({ venueId = "" }) => <VenueEditorPage key={venueId} venueId={venueId} />,
    needs: "organizer",
  },
  { pattern: "/organizer/events/new", render: () => <EventEditorPage />, needs: "organizer" },
  {
    pattern: "/organizer/events/:eventId",
    render: ({ eventId = "" }) => <EventEditorPage key={eventId} eventId={eventId} />,
    needs: "organizer",
  },
  {
    pattern: "/organizer/events/:eventId/sales",
    render: ({ eventId = "" }) => <SalesPage key={eventId} eventId={eventId} />,
    needs: "organizer",
  },
];
