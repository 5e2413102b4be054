import type { EventSeat, PriceTier, SectionSummary } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type KeyboardEvent, type PointerEvent, useMemo, useRef, useState, type WheelEvent } from "react";
import { type MessageKey, useI18n } from "../i18n/index.js";
import type { Availability } from "../lib/availability.js";
import { formatMoney } from "../lib/format.js";

/** Fills of the price tiers, in tier order: distinct in hue and lightness, so they read without colour too. */
export const tierColors = ["#4f46e5", "#0d9488", "#c2410c", "#be185d", "#65a30d", "#0369a1", "#a16207", "#7c3aed"];

const seatRadius = 0.38;
const margin = 1.5;

export interface SeatMapProps {
  readonly sections: readonly SectionSummary[];
  readonly seats: readonly EventSeat[];
  readonly tiers: readonly PriceTier[];
  readonly availability: Availability;
  /** Seats the buyer picked and has not held yet. */
  readonly selected: ReadonlySet<string>;
  /** Seats of the buyer's live hold. */
  readonly mine: ReadonlySet<string>;
  readonly onToggle: (seatId: string) => void;
}

type SeatLook = "free" | "selected" | "mine" | "held" | "sold" | "unknown";

function lookOf(seatId: string, props: SeatMapProps): SeatLook {
  if (props.mine.has(seatId)) return "mine";
  if (props.selected.has(seatId)) return "selected";
  if (!props.availability.isLive) return "unknown";
  switch (props.availability.seats.get(seatId)) {
    case SeatState.AVAILABLE:
      return "free";
    case SeatState.HELD:
      return "held";
    case SeatState.SOLD:
      return "sold";
    default:
      return "unknown";
  }
}

const stateKeys: Record<SeatLook, MessageKey> = {
  free: "seat.free",
  selected: "seat.selected",
  mine: "seat.mine",
  held: "seat.held",
  sold: "seat.sold",
  unknown: "seat.unknown",
};

interface ViewBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The event's seats as an SVG map: each seat a circle at its venue coordinates, filled with its price
 * tier's colour when free, grey when held or sold; sections outlined and named. Zoom with the wheel or
 * the buttons, pan by dragging. For the keyboard the map is one tab stop: the arrow keys move between
 * seats (left/right along the row, up/down to the nearest seat of the next row), Enter or Space picks,
 * and every seat has a label saying section, row, seat, price and state.
 */
export function SeatMap(props: SeatMapProps) {
  const { t, locale } = useI18n();
  const { seats, sections, tiers } = props;
  const ordered = useMemo(
    () =>
      [...seats].sort((a, b) => a.sectionId.localeCompare(b.sectionId) || a.y - b.y || a.x - b.x || a.index - b.index),
    [seats],
  );
  const bounds = useMemo(() => boundsOf(seats), [seats]);
  const rowLabels = useMemo(() => rowLabelsOf(seats), [seats]);
  const [view, setView] = useState<ViewBox>(bounds);
  const [focusedId, setFocusedId] = useState<string | undefined>(undefined);
  const drag = useRef<{ x: number; y: number; view: ViewBox; moved: boolean } | undefined>(undefined);
  const svg = useRef<SVGSVGElement>(null);
  const tierIndex = useMemo(() => new Map(tiers.map((tier, index) => [tier.id, index])), [tiers]);
  const sectionName = useMemo(() => new Map(sections.map((s) => [s.id, s.name])), [sections]);

  const zoom = (factor: number, centerX = view.x + view.width / 2, centerY = view.y + view.height / 2) => {
    const width = Math.min(bounds.width * 2, Math.max(4, view.width * factor));
    const height = (width / view.width) * view.height;
    setView({
      x: centerX - ((centerX - view.x) * width) / view.width,
      y: centerY - ((centerY - view.y) * height) / view.height,
      width,
      height,
    });
  };
  const onWheel = (event: WheelEvent<SVGSVGElement>) => {
    const rect = svg.current?.getBoundingClientRect();
    if (!rect) return;
    const x = view.x + ((event.clientX - rect.left) / rect.width) * view.width;
    const y = view.y + ((event.clientY - rect.top) / rect.height) * view.height;
    zoom(event.deltaY > 0 ? 1.2 : 1 / 1.2, x, y);
  };
  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    drag.current = { x: event.clientX, y: event.clientY, view, moved: false };
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const start = drag.current;
    const rect = svg.current?.getBoundingClientRect();
    if (!start || !rect) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (!start.moved && Math.hypot(dx, dy) < 4) return;
    start.moved = true;
    setView({
      ...start.view,
      x: start.view.x - (dx / rect.width) * start.view.width,
      y: start.view.y - (dy / rect.height) * start.view.height,
    });
  };
  const onPointerUp = () => {
    // A drag that moved is a pan, not a click on the seat under the pointer.
    setTimeout(() => {
      drag.current = undefined;
    });
  };
  const toggle = (seatId: string) => {
    if (drag.current?.moved) return;
    const look = lookOf(seatId, props);
    if (look === "free" || look === "selected") props.onToggle(seatId);
  };

  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    const current = ordered.findIndex((seat) => seat.id === focusedId);
    const from = ordered[current] ?? ordered[0];
    if (from === undefined) return;
    let next: EventSeat | undefined;
    if (event.key === "ArrowRight") next = ordered[Math.min(ordered.length - 1, current + 1)];
    else if (event.key === "ArrowLeft") next = ordered[Math.max(0, current - 1)];
    else if (event.key === "ArrowDown" || event.key === "ArrowUp") next = nearestInNextRow(ordered, from, event.key);
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (focusedId) toggle(focusedId);
      return;
    } else return;
    event.preventDefault();
    if (next) setFocusedId(next.id);
  };

  const focused = ordered.find((seat) => seat.id === focusedId);
  const labelOf = (seat: EventSeat) =>
    t("seat.label", {
      section: sectionName.get(seat.sectionId) ?? "",
      row: seat.rowLabel,
      seat: seat.label,
      price: formatMoney(tiers[tierIndex.get(seat.priceTierId) ?? -1]?.price, locale),
      state: t(stateKeys[lookOf(seat.id, props)]),
    });

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <div className="join">
          <button type="button" className="btn btn-sm join-item" onClick={() => zoom(1 / 1.5)}>
            {t("map.zoomIn")}
          </button>
          <button type="button" className="btn btn-sm join-item" onClick={() => zoom(1.5)}>
            {t("map.zoomOut")}
          </button>
          <button type="button" className="btn btn-sm join-item" onClick={() => setView(bounds)}>
            {t("map.reset")}
          </button>
        </div>
        <Legend tiers={tiers} />
      </div>
      <svg
        ref={svg}
        role="application"
        aria-label={t("map.label")}
        aria-describedby="seat-map-help"
        aria-activedescendant={focused ? `seat-${focused.id}` : undefined}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: one composite widget (role application) whose seats aria-activedescendant reaches
        tabIndex={0}
        className="w-full rounded-box bg-base-100 touch-none select-none focus-visible:outline-3 focus-visible:outline-accent"
        style={{ aspectRatio: `${bounds.width} / ${bounds.height}`, maxHeight: "70vh" }}
        viewBox={`${view.x} ${view.y} ${view.width} ${view.height}`}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onKeyDown={onKeyDown}
        onFocus={() => setFocusedId((id) => id ?? ordered.find((seat) => lookOf(seat.id, props) === "free")?.id)}
      >
        {sections
          .filter((section) => section.maxX > section.minX)
          .map((section) => (
            <g key={section.id}>
              <rect
                x={section.minX - 0.7}
                y={section.minY - 1.4}
                width={section.maxX - section.minX + 1.4}
                height={section.maxY - section.minY + 2.1}
                rx={0.5}
                className="fill-base-200 stroke-base-300"
                strokeWidth={0.05}
              />
              <text x={section.minX - 0.5} y={section.minY - 0.6} fontSize={0.55} className="fill-base-content">
                {section.name}
              </text>
            </g>
          ))}
        {rowLabels.map((row) => (
          <text
            key={row.key}
            x={row.x}
            y={row.y}
            fontSize={0.45}
            textAnchor="end"
            dominantBaseline="central"
            className="fill-base-content opacity-70"
          >
            {row.label}
          </text>
        ))}
        {ordered.map((seat) => {
          const look = lookOf(seat.id, props);
          const color = tierColors[(tierIndex.get(seat.priceTierId) ?? 0) % tierColors.length];
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG circle cannot be an <input>; the map is the widget
            <circle
              key={seat.id}
              id={`seat-${seat.id}`}
              role="checkbox"
              aria-checked={look === "selected" || look === "mine"}
              aria-disabled={look !== "free" && look !== "selected"}
              aria-label={labelOf(seat)}
              data-seat-id={seat.id}
              data-state={look}
              className="seat"
              cx={seat.x}
              cy={seat.y}
              r={seatRadius}
              fill={look === "free" ? color : look === "selected" || look === "mine" ? "#111827" : "#d1d5db"}
              stroke={seat.id === focusedId ? "#f59e0b" : look === "mine" ? color : "none"}
              strokeWidth={seat.id === focusedId ? 0.18 : 0.12}
              onClick={() => toggle(seat.id)}
            />
          );
        })}
      </svg>
      <p id="seat-map-help" className="text-sm opacity-80">
        {t("map.help")}
      </p>
      <p className="sr-only" aria-live="polite">
        {focused ? labelOf(focused) : ""}
      </p>
    </div>
  );
}

/** The price tiers with their colours and prices, and what grey and black mean. */
function Legend({ tiers }: { tiers: readonly PriceTier[] }) {
  const { t, locale } = useI18n();
  return (
    <ul className="flex flex-wrap gap-3 text-sm" aria-label={t("map.legend")}>
      {tiers.map((tier, index) => (
        <li key={tier.id} className="flex items-center gap-1">
          <span
            className="inline-block size-3 rounded-full"
            style={{ background: tierColors[index % tierColors.length] }}
            aria-hidden="true"
          />
          {tier.name} · {formatMoney(tier.price, locale)}
        </li>
      ))}
      <li className="flex items-center gap-1">
        <span className="inline-block size-3 rounded-full bg-[#d1d5db]" aria-hidden="true" />
        {t("seat.taken")}
      </li>
      <li className="flex items-center gap-1">
        <span className="inline-block size-3 rounded-full bg-[#111827]" aria-hidden="true" />
        {t("seat.yours")}
      </li>
    </ul>
  );
}

/** A label left of each row's first seat, so a buyer finds "row F" on the map as in the hall. */
function rowLabelsOf(seats: readonly EventSeat[]) {
  const rows = new Map<string, { key: string; label: string; x: number; y: number }>();
  for (const seat of seats) {
    const key = `${seat.sectionId}/${seat.rowLabel}`;
    const row = rows.get(key);
    if (row === undefined) rows.set(key, { key, label: seat.rowLabel, x: seat.x - 0.6, y: seat.y });
    else row.x = Math.min(row.x, seat.x - 0.6);
  }
  return [...rows.values()];
}

function boundsOf(seats: readonly EventSeat[]): ViewBox {
  if (seats.length === 0) return { x: 0, y: 0, width: 10, height: 10 };
  const xs = seats.map((seat) => seat.x);
  const ys = seats.map((seat) => seat.y);
  const minX = Math.min(...xs) - margin;
  const minY = Math.min(...ys) - margin - 1;
  return { x: minX, y: minY, width: Math.max(...xs) + margin - minX, height: Math.max(...ys) + margin - minY };
}

/** The seat of the same section in the row above or below `from` whose x is closest to its own. */
function nearestInNextRow(ordered: readonly EventSeat[], from: EventSeat, key: "ArrowUp" | "ArrowDown") {
  const sameSection = ordered.filter((seat) => seat.sectionId === from.sectionId);
  const rowYs = [...new Set(sameSection.map((seat) => seat.y))].sort((a, b) => a - b);
  const row = rowYs.indexOf(from.y) + (key === "ArrowDown" ? 1 : -1);
  const y = rowYs[row];
  if (y === undefined) return undefined;
  return sameSection
    .filter((seat) => seat.y === y)
    .reduce((best, seat) => (Math.abs(seat.x - from.x) < Math.abs(best.x - from.x) ? seat : best));
}
