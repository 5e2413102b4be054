import { useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { SalesReportGrouping } from "@marquee/proto/marquee/ordering/v1/report_pb.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { Loading } from "../../components/loading.js";
import { AvailabilityChart, RevenueChart } from "../../components/organizer-sales-chart.js";
import { useI18n } from "../../i18n/index.js";
import { formatMoney } from "../../lib/format.js";
import { useAvailability } from "../../lib/use-availability.js";
import { Link } from "../../router.js";
import { StateBadge } from "./event-actions.js";

/**
 * How often the sales report is read again. Availability comes live from its stream; money comes from
 * ordering, which has no stream, and a few seconds' delay is what an organizer watching an on-sale expects.
 */
const reportRefreshMs = 3000;

/** The browser's zone, whose midnights split the report into days: the organizer's own calendar. */
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** `/organizer/events/:eventId/sales`: seats sold, held and free live, and revenue day by day. */
export function SalesPage({ eventId }: { eventId: string }) {
  const { t, locale } = useI18n();
  const event = useQuery(CatalogService.method.getEvent, { eventId });
  const seatMap = useQuery(CatalogService.method.getSeatMap, { eventId });
  const info = event.data?.event;
  const isOnSale = info !== undefined && info.state !== EventState.DRAFT;
  const availability = useAvailability(eventId, undefined, isOnSale);
  const report = useQuery(
    OrderingService.method.salesReport,
    {
      eventId,
      groupBy: SalesReportGrouping.DAY,
      timeZone,
      ...(info?.publishTime ? { startTime: info.publishTime } : {}),
    },
    { enabled: isOnSale, refetchInterval: reportRefreshMs },
  );
  if (event.error) return <ErrorAlert error={event.error} />;
  if (!info) return <Loading />;
  const names = new Map((seatMap.data?.sections ?? []).map((section) => [section.id, section.name]));
  const sections = [...availability.sections.values()];
  const sum = (key: "sold" | "held" | "available") => sections.reduce((total, section) => total + section[key], 0);
  const totals = report.data?.totals;
  return (
    <div className="flex flex-col gap-4">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold">{t("organizer.sales.title", { title: info.title })}</h1>
        <StateBadge state={info.state} />
        <Link href={`/organizer/events/${eventId}`} className="btn btn-sm btn-ghost">
          {t("organizer.sales.manage")}
        </Link>
      </header>
      {isOnSale ? null : <p className="alert">{t("organizer.sales.notOnSale")}</p>}
      <dl className="stats stats-vertical bg-base-100 shadow-sm sm:stats-horizontal" aria-live="polite">
        <Stat label={t("organizer.sales.sold")} value={availability.isLive ? sum("sold") : "…"} testId="count-sold" />
        <Stat label={t("organizer.sales.held")} value={availability.isLive ? sum("held") : "…"} testId="count-held" />
        <Stat
          label={t("organizer.sales.free")}
          value={availability.isLive ? sum("available") : "…"}
          testId="count-free"
        />
        <Stat
          label={t("organizer.sales.gross")}
          value={totals ? formatMoney(totals.gross, locale) : "…"}
          testId="revenue-total"
        />
        <Stat
          label={t("organizer.sales.tickets")}
          value={totals ? String(totals.ticketsSold) : "…"}
          testId="tickets-sold"
        />
      </dl>
      <section aria-labelledby="availability-heading" className="card bg-base-100 shadow-sm">
        <div className="card-body">
          <h2 id="availability-heading" className="card-title">
            {t("organizer.sales.availability")}
          </h2>
          {availability.isLive ? (
            <AvailabilityChart sections={sections} names={names} />
          ) : isOnSale ? (
            <Loading />
          ) : null}
        </div>
      </section>
      <section aria-labelledby="revenue-heading" className="card bg-base-100 shadow-sm">
        <div className="card-body">
          <h2 id="revenue-heading" className="card-title">
            {t("organizer.sales.revenue")}
          </h2>
          {report.error ? <ErrorAlert error={report.error} /> : null}
          {report.data ? (
            <RevenueChart days={report.data.days} currencyCode={info.currencyCode} />
          ) : isOnSale ? (
            <Loading />
          ) : null}
          {totals ? (
            <p className="text-sm">
              {t("organizer.sales.totalsLine", {
                fees: formatMoney(totals.fees, locale),
                refunds: formatMoney(totals.refunds, locale),
                net: formatMoney(totals.net, locale),
              })}
            </p>
          ) : null}
        </div>
      </section>
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div className="stat">
      <dt className="stat-title">{label}</dt>
      <dd className="stat-value text-2xl" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
