import type { Route } from "../../router.js";
import { EventEditorPage } from "./event-editor-page.js";
import { OrganizerHome } from "./organizer-home.js";
import { SalesPage } from "./sales-page.js";
import { VenueEditorPage } from "./venue-editor-page.js";

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
