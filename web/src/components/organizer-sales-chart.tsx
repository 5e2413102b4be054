import type { Money } from "@marquee/proto/marquee/api/v1/money_pb.js";
import type { SectionAvailability } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import type { SalesReportDay } from "@marquee/proto/marquee/ordering/v1/report_pb.js";
import { useI18n } from "../i18n/index.js";
import { formatMoney, millisOf } from "../lib/format.js";

/** Sold, held and free, in that order along each bar: dark to light, so the parts read without colour too. */
const stateColors = { sold: "#4f46e5", held: "#f59e0b", free: "#d1d5db" } as const;

/**
 * Each section's seats as one bar split into sold, held and free, from WatchAvailability's counts. The
 * SVG is a picture for the eye (role img with a summary); the table beside it carries the same numbers
 * for a screen reader.
 */
export function AvailabilityChart({
  sections,
  names,
}: {
  sections: readonly SectionAvailability[];
  names: ReadonlyMap<string, string>;
}) {
  const { t } = useI18n();
  const rowHeight = 28;
  const labelWidth = 160;
  const width = 900;
  const height = Math.max(1, sections.length) * rowHeight + 24;
  const total = (key: "sold" | "held" | "available") => sections.reduce((sum, section) => sum + section[key], 0);
  const summary = t("organizer.sales.availabilitySummary", {
    sold: total("sold"),
    held: total("held"),
    free: total("available"),
  });
  return (
    <figure className="flex flex-col gap-2">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={summary}
        className="w-full"
        data-testid="availability-chart"
      >
        {sections.map((section, i) => {
          const capacity = Math.max(1, section.capacity);
          const scale = (width - labelWidth - 10) / capacity;
          const parts = [
            ["sold", section.sold],
            ["held", section.held],
            ["free", section.available],
          ] as const;
          let x = labelWidth;
          return (
            <g key={section.sectionId} transform={`translate(0 ${i * rowHeight})`}>
              <text
                x={labelWidth - 8}
                y={rowHeight / 2 + 4}
                textAnchor="end"
                fontSize={12}
                className="fill-base-content"
              >
                {names.get(section.sectionId) ?? section.sectionId}
              </text>
              {parts.map(([state, count]) => {
                const barX = x;
                x += count * scale;
                return count > 0 ? (
                  <rect
                    key={state}
                    x={barX}
                    y={4}
                    width={count * scale}
                    height={rowHeight - 8}
                    fill={stateColors[state]}
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap gap-4 text-sm">
        {(["sold", "held", "free"] as const).map((state) => (
          <span key={state} className="flex items-center gap-1">
            <span className="inline-block size-3" style={{ background: stateColors[state] }} aria-hidden="true" />
            {t(`organizer.sales.${state}`)}
          </span>
        ))}
      </figcaption>
      <table className="table table-sm">
        <caption className="sr-only">{t("organizer.sales.bySection")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("organizer.sales.section")}</th>
            <th scope="col">{t("organizer.sales.sold")}</th>
            <th scope="col">{t("organizer.sales.held")}</th>
            <th scope="col">{t("organizer.sales.free")}</th>
            <th scope="col">{t("organizer.sales.capacity")}</th>
          </tr>
        </thead>
        <tbody>
          {sections.map((section) => (
            <tr key={section.sectionId} data-testid="section-counts">
              <th scope="row">{names.get(section.sectionId) ?? section.sectionId}</th>
              <td>{section.sold}</td>
              <td>{section.held}</td>
              <td>{section.available}</td>
              <td>{section.capacity}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

const minorOf = (money: Money | undefined) => Number(money?.amountMinor ?? 0n);

/**
 * Revenue over time from SalesReport's days: a bar per day of what buyers paid (gross), and a line of the
 * running total. The axis is in the event's currency; the table below gives each day's figures.
 */
export function RevenueChart({ days, currencyCode }: { days: readonly SalesReportDay[]; currencyCode: string }) {
  const { t, locale } = useI18n();
  const [width, height, left, bottom, top] = [900, 260, 110, 28, 16];
  let running = 0;
  const points = days.map((day) => {
    running += minorOf(day.figures?.gross);
    return { day, gross: minorOf(day.figures?.gross), cumulative: running };
  });
  // An event without sales yet gets an axis up to one unit of its currency, not up to one paisa.
  const peak = Math.max(100, running);
  const slot = (width - left - 10) / Math.max(1, points.length);
  // A week's bars are wide; one day's bar alone would fill the chart, so a bar is at most 60 units wide.
  const barWidth = Math.min(slot * 0.7, 60);
  const yOf = (minor: number) => top + (height - top - bottom) * (1 - minor / peak);
  const money = (minor: number) =>
    formatMoney({ $typeName: "marquee.api.v1.Money", currencyCode, amountMinor: BigInt(minor) }, locale);
  const dayName = (day: SalesReportDay) =>
    new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(millisOf(day.startTime)));
  const line = points.map((p, i) => `${left + slot * (i + 0.5)},${yOf(p.cumulative)}`).join(" ");
  const summary = t("organizer.sales.revenueSummary", { total: money(running), days: points.length });
  return (
    <figure className="flex flex-col gap-2">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={summary}
        className="w-full"
        data-testid="revenue-chart"
      >
        {[0, 0.5, 1].map((share) => (
          <g key={share}>
            <line x1={left} x2={width - 10} y1={yOf(peak * share)} y2={yOf(peak * share)} stroke="#e5e7eb" />
            <text x={left - 6} y={yOf(peak * share) + 4} textAnchor="end" fontSize={11} className="fill-base-content">
              {money(Math.round(peak * share))}
            </text>
          </g>
        ))}
        {points.map((p, i) => (
          <g key={millisOf(p.day.startTime)}>
            <rect
              x={left + slot * (i + 0.5) - barWidth / 2}
              y={yOf(p.gross)}
              width={barWidth}
              height={height - bottom - yOf(p.gross)}
              fill="#a5b4fc"
              data-testid="revenue-bar"
            />
            {points.length <= 14 || i % Math.ceil(points.length / 14) === 0 ? (
              <text
                x={left + slot * (i + 0.5)}
                y={height - 10}
                textAnchor="middle"
                fontSize={10}
                className="fill-base-content"
              >
                {dayName(p.day)}
              </text>
            ) : null}
          </g>
        ))}
        {points.length > 0 ? <polyline points={line} fill="none" stroke="#4f46e5" strokeWidth={2} /> : null}
        {points.map((p, i) => (
          <circle
            key={millisOf(p.day.startTime)}
            cx={left + slot * (i + 0.5)}
            cy={yOf(p.cumulative)}
            r={4}
            fill="#4f46e5"
          />
        ))}
      </svg>
      <figcaption className="flex flex-wrap gap-4 text-sm">
        <span className="flex items-center gap-1">
          <span className="inline-block size-3 bg-[#a5b4fc]" aria-hidden="true" />
          {t("organizer.sales.dailyGross")}
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-0.5 w-4 bg-[#4f46e5]" aria-hidden="true" />
          {t("organizer.sales.runningTotal")}
        </span>
      </figcaption>
      <details>
        <summary className="cursor-pointer text-sm">{t("organizer.sales.byDay")}</summary>
        <table className="table table-sm">
          <thead>
            <tr>
              <th scope="col">{t("organizer.sales.day")}</th>
              <th scope="col">{t("organizer.sales.tickets")}</th>
              <th scope="col">{t("organizer.sales.gross")}</th>
              <th scope="col">{t("organizer.sales.runningTotal")}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={millisOf(p.day.startTime)}>
                <th scope="row">{dayName(p.day)}</th>
                <td>{String(p.day.figures?.ticketsSold ?? 0n)}</td>
                <td>{money(p.gross)}</td>
                <td>{money(p.cumulative)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
