import { create } from "@bufbuild/protobuf";
import { useQuery } from "@connectrpc/connect-query";
import { MoneySchema } from "@marquee/proto/marquee/api/v1/money_pb.js";
import { type Event, EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { OrderingService, type SalesReportResponse } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { type SalesFigures, SalesFiguresSchema } from "@marquee/proto/marquee/ordering/v1/report_pb.js";
import { useQueries } from "@tanstack/react-query";
import { clientOf } from "../../api/transport.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { SelectField } from "../../components/form-fields.js";
import { Loading } from "../../components/loading.js";
import { useI18n } from "../../i18n/index.js";
import { formatDateTime, formatMoney } from "../../lib/format.js";
import { Link, navigate, useLocation } from "../../router.js";
import { AdminLayout } from "./admin-layout.js";
import { useAllEvents } from "./all-events.js";

const ordering = clientOf(OrderingService);

/** A draft has never been on sale, so it has nothing to report. */
const hasSales = (event: Event) => event.state !== EventState.DRAFT;

/** The sum of figures in one currency; events in another currency get a totals row of their own. */
function sumOf(currencyCode: string, all: readonly SalesFigures[]): SalesFigures {
  const money = (pick: (figures: SalesFigures) => bigint) =>
    create(MoneySchema, { currencyCode, amountMinor: all.reduce((sum, figures) => sum + pick(figures), 0n) });
  return create(SalesFiguresSchema, {
    ticketsSold: all.reduce((sum, figures) => sum + figures.ticketsSold, 0n),
    ticketsRefunded: all.reduce((sum, figures) => sum + figures.ticketsRefunded, 0n),
    gross: money((figures) => figures.gross?.amountMinor ?? 0n),
    fees: money((figures) => figures.fees?.amountMinor ?? 0n),
    refunds: money((figures) => figures.refunds?.amountMinor ?? 0n),
    net: money((figures) => figures.net?.amountMinor ?? 0n),
  });
}

/**
 * `/admin`: sales across every organizer — one SalesReport per event that has been on sale, a row each,
 * with totals per currency; `?event=<id>` adds that event's figures per price tier (or seat class) and ride.
 */
export function AdminReportsPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const { events, error } = useAllEvents();
  const onSale = (events ?? []).filter(hasSales);
  const reports = useQueries({
    queries: onSale.map((event) => ({
      queryKey: ["admin", "salesReport", event.id],
      queryFn: () => ordering.salesReport({ eventId: event.id }),
    })),
  });
  const picked = query.get("event") ?? "";
  const failed = error ?? reports.find((report) => report.error)?.error;
  return (
    <AdminLayout title={t("admin.reports.title")}>
      {failed ? <ErrorAlert error={failed} /> : null}
      {!events && !failed ? <Loading /> : null}
      {events ? (
        <>
          <SalesTable events={onSale} reports={reports.map((report) => report.data)} />
          <SelectField
            label="admin.reports.pick"
            value={picked}
            onChange={(eventId) => navigate(eventId ? `/admin?event=${eventId}` : "/admin", { replace: true })}
            options={[["", t("admin.reports.pickNone")], ...onSale.map((event) => [event.id, event.title] as const)]}
            className="w-full max-w-md"
          />
          {picked ? (
            <EventReport key={picked} event={onSale.find((event) => event.id === picked)} eventId={picked} />
          ) : null}
        </>
      ) : null}
    </AdminLayout>
  );
}

function FigureCells({ figures }: { figures: SalesFigures | undefined }) {
  const { locale } = useI18n();
  return (
    <>
      <td className="text-right">{figures?.ticketsSold.toString() ?? ""}</td>
      <td className="text-right">{figures?.ticketsRefunded.toString() ?? ""}</td>
      <td className="text-right">{formatMoney(figures?.gross, locale)}</td>
      <td className="text-right">{formatMoney(figures?.refunds, locale)}</td>
      <td className="text-right">{formatMoney(figures?.net, locale)}</td>
    </>
  );
}

function FigureHeads() {
  const { t } = useI18n();
  return (
    <>
      <th scope="col" className="text-right">
        {t("admin.reports.sold")}
      </th>
      <th scope="col" className="text-right">
        {t("admin.reports.refundedTickets")}
      </th>
      <th scope="col" className="text-right">
        {t("admin.reports.gross")}
      </th>
      <th scope="col" className="text-right">
        {t("admin.reports.refunds")}
      </th>
      <th scope="col" className="text-right">
        {t("admin.reports.net")}
      </th>
    </>
  );
}

function SalesTable(props: { events: readonly Event[]; reports: ReadonlyArray<SalesReportResponse | undefined> }) {
  const { t, locale } = useI18n();
  const currencies = [...new Set(props.events.map((event) => event.currencyCode))];
  const figuresIn = (currencyCode: string) =>
    props.events.flatMap((event, index) =>
      event.currencyCode === currencyCode ? (props.reports[index]?.totals ?? []) : [],
    );
  const isComplete = props.reports.every((report) => report !== undefined);
  if (props.events.length === 0) return <p>{t("admin.reports.none")}</p>;
  return (
    <div className="overflow-x-auto">
      <table className="table bg-base-100" aria-label={t("admin.reports.table")}>
        <thead>
          <tr>
            <th scope="col">{t("admin.reports.event")}</th>
            <th scope="col">{t("admin.reports.starts")}</th>
            <FigureHeads />
          </tr>
        </thead>
        <tbody>
          {props.events.map((event, index) => (
            <tr key={event.id} data-testid="admin-report-row">
              <th scope="row" className="font-normal">
                <Link href={`/admin?event=${event.id}`} className="link">
                  {event.title}
                </Link>
              </th>
              <td className="whitespace-nowrap">{formatDateTime(event.startTime?.seconds, locale)}</td>
              <FigureCells figures={props.reports[index]?.totals} />
            </tr>
          ))}
        </tbody>
        {isComplete ? (
          <tfoot>
            {currencies.map((currencyCode) => (
              <tr key={currencyCode} data-testid="admin-report-total">
                <th scope="row" colSpan={2}>
                  {t("admin.reports.total", { currency: currencyCode })}
                </th>
                <FigureCells figures={sumOf(currencyCode, figuresIn(currencyCode))} />
              </tr>
            ))}
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}

/** One event's sales per price tier (or seat class) and, for a trip, per ride. */
function EventReport({ event, eventId }: { event: Event | undefined; eventId: string }) {
  const { t, locale } = useI18n();
  const report = useQuery(OrderingService.method.salesReport, { eventId });
  if (report.error) return <ErrorAlert error={report.error} />;
  if (!report.data) return <Loading />;
  const stopName = (id: string) => event?.stops.find((stop) => stop.id === id)?.name ?? id;
  const rows = [
    ...report.data.priceTiers.map((tier) => ({
      key: `tier:${tier.priceTierId}:${tier.priceTierName}`,
      name: tier.priceTierName || t("admin.reports.noClass"),
      figures: tier.figures,
    })),
    ...report.data.rides.map((ride) => ({
      key: `ride:${ride.ride?.boardingStopId}:${ride.ride?.alightingStopId}`,
      name: `${stopName(ride.ride?.boardingStopId ?? "")} → ${stopName(ride.ride?.alightingStopId ?? "")}`,
      figures: ride.figures,
    })),
  ];
  return (
    <section className="flex flex-col gap-2" aria-labelledby="event-report-title">
      <h2 id="event-report-title" className="text-xl font-semibold">
        {event?.title ?? eventId}
      </h2>
      <p className="text-sm opacity-80">
        {t("admin.reports.period", {
          from: formatDateTime(report.data.startTime?.seconds, locale),
          to: formatDateTime(report.data.endTime?.seconds, locale),
        })}
      </p>
      <div className="overflow-x-auto">
        <table className="table bg-base-100" aria-label={t("admin.reports.breakdown")}>
          <thead>
            <tr>
              <th scope="col">{t("admin.reports.slice")}</th>
              <FigureHeads />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row" className="font-normal">
                  {row.name}
                </th>
                <FigureCells figures={row.figures} />
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="admin-event-report-total">
              <th scope="row">{t("admin.reports.eventTotal")}</th>
              <FigureCells figures={report.data.totals} />
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
