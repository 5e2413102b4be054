import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { Category, type Event, EventKind } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { ErrorAlert } from "../components/error-alert.js";
import { SelectField, TextField } from "../components/form-fields.js";
import { Loading } from "../components/loading.js";
import { useI18n } from "../i18n/index.js";
import { categoryKeys } from "../lib/categories.js";
import { formatDateTime, formatMoney } from "../lib/format.js";
import { Link, navigate, useLocation } from "../router.js";

/**
 * The home page: what is on sale, filtered by kind, category, city (a trip matches a city it stops in)
 * and dates. The filters live in the URL, so a search can be shared and the back button returns to it.
 */
export function HomePage() {
  const { t, locale } = useI18n();
  const { query } = useLocation();
  const kind = Number(query.get("kind") ?? 0) as EventKind;
  const category = Number(query.get("category") ?? 0) as Category;
  const city = query.get("city") ?? "";
  const from = query.get("from") ?? "";
  const to = query.get("to") ?? "";
  const events = useQuery(CatalogService.method.listEvents, {
    pageSize: 50,
    kind,
    category,
    city,
    ...(from ? { startTimeFrom: timestampFromDate(new Date(`${from}T00:00:00`)) } : {}),
    ...(to ? { startTimeTo: timestampFromDate(new Date(`${to}T23:59:59`)) } : {}),
  });

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value === "" || value === "0") next.delete(name);
    else next.set(name, value);
    navigate(`/?${next}`, { replace: true });
  };

  return (
    <div className="flex flex-col gap-6">
      <section className="hero rounded-box bg-primary text-primary-content py-8">
        <div className="hero-content text-center">
          <div>
            <h1 className="text-3xl font-bold">{t("home.title")}</h1>
            <p className="mt-2">{t("home.subtitle")}</p>
          </div>
        </div>
      </section>
      <form
        className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5"
        aria-label={t("home.filters")}
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="home.kind"
          value={kind}
          onChange={(value) => setFilter("kind", value)}
          options={[
            [EventKind.UNSPECIFIED, t("home.kindAll")],
            [EventKind.EVENT, t("home.kindEvents")],
            [EventKind.TRIP, t("home.kindTrips")],
          ]}
        />
        <SelectField
          label="home.category"
          value={category}
          onChange={(value) => setFilter("category", value)}
          options={[
            [Category.UNSPECIFIED, t("home.categoryAll")],
            ...categoryKeys.map(([value, key]) => [value, t(key)] as const),
          ]}
        />
        <TextField
          label="home.city"
          type="search"
          value={city}
          placeholder={t("home.cityPlaceholder")}
          onChange={(value) => setFilter("city", value)}
        />
        <TextField label="home.from" type="date" value={from} onChange={(value) => setFilter("from", value)} />
        <TextField label="home.to" type="date" value={to} onChange={(value) => setFilter("to", value)} />
      </form>
      {events.error ? <ErrorAlert error={events.error} /> : null}
      {events.isPending ? <Loading /> : null}
      {events.data && events.data.events.length === 0 ? <p>{t("home.nothing")}</p> : null}
      <ul className="grid grid-cols-1 gap-4 md:grid-cols-2 lg:grid-cols-3" aria-label={t("home.results")}>
        {events.data?.events.map((event) => (
          <li key={event.id}>
            <EventCard event={event} locale={locale} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function EventCard({ event, locale }: { event: Event; locale: string }) {
  const { t } = useI18n();
  const prices = [...event.priceTiers.map((tier) => tier.price), ...event.fares.map((fare) => fare.price)];
  const cheapest = prices.reduce<(typeof prices)[number]>(
    (low, price) => (low === undefined || (price && price.amountMinor < low.amountMinor) ? price : low),
    undefined,
  );
  const route = event.stops.map((stop) => stop.city || stop.name).join(" → ");
  return (
    <article className="card bg-base-100 shadow-sm h-full">
      <div className="card-body">
        <h2 className="card-title">
          <Link href={`/events/${event.id}`} className="link link-hover">
            {event.title}
          </Link>
        </h2>
        <p>{formatDateTime(event.startTime?.seconds, locale)}</p>
        <p className="opacity-80">{event.kind === EventKind.TRIP ? route : `${event.venueName}, ${event.city}`}</p>
        {cheapest ? (
          <p className="font-semibold">{t("home.fromPrice", { price: formatMoney(cheapest, locale) })}</p>
        ) : null}
      </div>
    </article>
  );
}
