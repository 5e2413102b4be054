import { useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { Loading } from "../../components/loading.js";
import { useI18n } from "../../i18n/index.js";
import { formatDateTime } from "../../lib/format.js";
import { Link } from "../../router.js";
import { StateBadge } from "./event-actions.js";

/** `/organizer`: the organizer's events and trips in every state, and their venues, each with its pages. */
export function OrganizerHome() {
  const { t, locale } = useI18n();
  const events = useQuery(CatalogService.method.listMyEvents, { pageSize: 200 });
  const venues = useQuery(CatalogService.method.listVenues, { pageSize: 200 });
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">{t("organizer.home.title")}</h1>
      <section aria-labelledby="my-events" className="card bg-base-100 shadow-sm">
        <div className="card-body">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h2 id="my-events" className="card-title">
              {t("organizer.home.events")}
            </h2>
            <Link href="/organizer/events/new" className="btn btn-primary btn-sm">
              {t("organizer.home.newEvent")}
            </Link>
          </div>
          {events.error ? <ErrorAlert error={events.error} /> : null}
          {events.isPending ? <Loading /> : null}
          {events.data?.events.length === 0 ? <p>{t("organizer.home.noEvents")}</p> : null}
          {events.data && events.data.events.length > 0 ? (
            <div className="overflow-x-auto">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t("organizer.home.event")}</th>
                    <th scope="col">{t("organizer.home.when")}</th>
                    <th scope="col">{t("organizer.home.state")}</th>
                    <th scope="col">{t("organizer.home.capacity")}</th>
                    <th scope="col">
                      <span className="sr-only">{t("organizer.home.actions")}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {events.data.events.map((event) => (
                    <tr key={event.id} data-testid="organizer-event">
                      <td>
                        <Link href={`/organizer/events/${event.id}`} className="link link-hover font-semibold">
                          {event.title}
                        </Link>
                      </td>
                      <td>{formatDateTime(event.startTime?.seconds, locale)}</td>
                      <td>
                        <StateBadge state={event.state} />
                      </td>
                      <td>{event.capacity}</td>
                      <td>
                        <Link
                          href={`/organizer/events/${event.id}/sales`}
                          className="link"
                          aria-label={t("organizer.home.salesOf", { title: event.title })}
                        >
                          {t("organizer.event.sales")}
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      </section>
      <section aria-labelledby="my-venues" className="card bg-base-100 shadow-sm">
        <div className="card-body">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h2 id="my-venues" className="card-title">
              {t("organizer.home.venues")}
            </h2>
            <Link href="/organizer/venues/new" className="btn btn-primary btn-sm">
              {t("organizer.home.newVenue")}
            </Link>
          </div>
          {venues.error ? <ErrorAlert error={venues.error} /> : null}
          {venues.isPending ? <Loading /> : null}
          {venues.data?.venues.length === 0 ? <p>{t("organizer.home.noVenues")}</p> : null}
          <ul className="grid grid-cols-1 gap-2 md:grid-cols-2" aria-label={t("organizer.home.venues")}>
            {venues.data?.venues.map((venue) => (
              <li key={venue.id} className="rounded-box border border-base-300 p-3">
                <Link href={`/organizer/venues/${venue.id}`} className="link link-hover font-semibold">
                  {venue.name}
                </Link>
                <p className="text-sm opacity-80">
                  {t("organizer.home.venueFacts", {
                    city: venue.city || "—",
                    sections: venue.sections.length,
                    capacity: venue.capacity,
                  })}
                </p>
              </li>
            ))}
          </ul>
        </div>
      </section>
    </div>
  );
}
