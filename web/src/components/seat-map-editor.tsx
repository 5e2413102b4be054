import { type KeyboardEvent, type PointerEvent, useRef, useState } from "react";
import { useI18n } from "../i18n/index.js";
import {
  boundsOfSection,
  type EditorSeat,
  type EditorSection,
  freeSpotBelow,
  moveSection,
  type SeatRef,
  seatNextTo,
  withSeatChanged,
} from "../lib/venue-layout.js";
import { classColors, EditorLegend, SectionShape, useEditorLabels } from "./organizer-editor-shapes.js";
import { SeatPanel, SectionPanel } from "./organizer-section-panel.js";

export interface SeatMapEditorProps {
  readonly sections: readonly EditorSection[];
  readonly onChange: (sections: EditorSection[]) => void;
  /** The server's complaints about the sections, by field path (`venue.sections[1].name` …). */
  readonly errors?: Readonly<Record<string, string>>;
}

interface ViewBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The smallest canvas, so a first small section is not blown up to the whole width. */
const minView = { width: 28, height: 12 } as const;

function viewOf(sections: readonly EditorSection[]): ViewBox {
  let [minX, minY, maxX, maxY] = [0, 0, minView.width - 4, minView.height - 4];
  for (const section of sections) {
    const box = boundsOfSection(section);
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y - 1);
    maxX = Math.max(maxX, box.x + box.width);
    maxY = Math.max(maxY, box.y + box.height);
  }
  return { x: minX - 2, y: minY - 2, width: maxX - minX + 4, height: maxY - minY + 4 };
}

/**
 * The organizer's seat-map editor: sections on an SVG canvas, dragged to where they are in the hall, each
 * a grid of seats generated from rows × seats (with aisles) and then edited seat by seat — removed, marked
 * accessible, given a class — or a general-admission area of some capacity.
 *
 * For the keyboard the canvas is one tab stop: the arrow keys move the selected section (with Shift, five
 * units); Enter goes into its seats, where the arrows move from seat to seat, Delete removes or restores a
 * seat, A marks it accessible, and Escape comes back out. Every control of the panel beside it is a plain
 * form field.
 */
export function SeatMapEditor({ sections, onChange, errors = {} }: SeatMapEditorProps) {
  const { t } = useI18n();
  const [selectedKey, setSelectedKey] = useState<string | undefined>(sections[0]?.key);
  const [seatRef, setSeatRef] = useState<SeatRef | undefined>(undefined);
  const [isInSeats, setInSeats] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<
    | { key: string; x: number; y: number; original: EditorSection; view: ViewBox; seat?: SeatRef; moved: boolean }
    | undefined
  >(undefined);
  const [frozenView, setFrozenView] = useState<ViewBox | undefined>(undefined);
  const view = frozenView ?? viewOf(sections);
  const colors = classColors(sections);
  const selectedIndex = sections.findIndex((section) => section.key === selectedKey);
  const selected = sections[selectedIndex];
  const selectedSeat = selected && seatRef ? selected.rows[seatRef.row]?.seats[seatRef.seat] : undefined;

  const replace = (key: string, next: EditorSection) =>
    onChange(sections.map((section) => (section.key === key ? next : section)));
  const select = (key: string | undefined, seat?: SeatRef) => {
    setSelectedKey(key);
    setSeatRef(seat);
  };
  const add = (isGeneralAdmission: boolean) => {
    const spot = freeSpotBelow(sections);
    const key = `new-${crypto.randomUUID()}`;
    const name = t(isGeneralAdmission ? "organizer.editor.newArea" : "organizer.editor.newSection", {
      n: sections.length + 1,
    });
    onChange([...sections, { key, id: "", name, isGeneralAdmission, rows: [], capacity: 100, ...spot }]);
    select(key);
  };
  const remove = (key: string) => {
    onChange(sections.filter((section) => section.key !== key));
    select(sections.find((section) => section.key !== key)?.key);
  };
  const updateSeat = (ref: SeatRef, change: Partial<EditorSeat>) => {
    if (!selected) return;
    // An edited seat makes the section more than its grid: from now on it is sent seat by seat.
    const { grid: _edited, ...rest } = selected;
    replace(selected.key, { ...rest, rows: withSeatChanged(selected, ref, change) });
  };
  const { seatName, sectionName } = useEditorLabels();

  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    if (!selected) return;
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    const arrow = arrows[event.key];
    if (!isInSeats) {
      if (arrow) {
        event.preventDefault();
        const step = event.shiftKey ? 5 : 1;
        const moved = moveSection(selected, arrow[0] * step, arrow[1] * step);
        replace(selected.key, moved);
        setAnnouncement(sectionName(moved));
      } else if (event.key === "Enter" && !selected.isGeneralAdmission && selected.rows.length > 0) {
        event.preventDefault();
        setInSeats(true);
        const first = seatRef ?? { row: 0, seat: 0 };
        setSeatRef(first);
        setAnnouncement(seatName(selected, first));
      }
      return;
    }
    const ref = seatRef ?? { row: 0, seat: 0 };
    if (arrow) {
      event.preventDefault();
      const next = seatNextTo(selected, ref, arrow);
      setSeatRef(next);
      setAnnouncement(seatName(selected, next));
    } else if (event.key === "Escape") {
      event.preventDefault();
      setInSeats(false);
      setAnnouncement(sectionName(selected));
    } else if (event.key === "Delete" || event.key === "Backspace" || event.key === "a" || event.key === "A") {
      event.preventDefault();
      const seat = selected.rows[ref.row]?.seats[ref.seat];
      if (!seat) return;
      const change =
        event.key.toLowerCase() === "a" ? { isAccessible: !seat.isAccessible } : { isRemoved: !seat.isRemoved };
      updateSeat(ref, change);
      setAnnouncement(seatName({ ...selected, rows: withSeatChanged(selected, ref, change) }, ref));
    }
  };

  /** Map units per screen pixel, from the drawn size of the canvas. */
  const unitsPerPixel = (frozen: ViewBox) => {
    const rect = svg.current?.getBoundingClientRect();
    return rect && rect.width > 0 ? frozen.width / rect.width : 0;
  };
  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    const target = (event.target as Element).closest("[data-section-key]");
    const key = target?.getAttribute("data-section-key") ?? undefined;
    const original = sections.find((section) => section.key === key);
    if (!key || !original) return;
    // The seat under the press, read now: once the canvas captures the pointer, the release targets the canvas.
    const seat = (event.target as Element).closest("[data-row]");
    const row = Number(seat?.getAttribute("data-row"));
    const index = Number(seat?.getAttribute("data-seat"));
    const seatRef = seat && Number.isInteger(row) && Number.isInteger(index) ? { row, seat: index } : undefined;
    drag.current = {
      key,
      x: event.clientX,
      y: event.clientY,
      original,
      view,
      moved: false,
      ...(seatRef ? { seat: seatRef } : {}),
    };
    setFrozenView(view);
    svg.current?.setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const start = drag.current;
    if (!start) return;
    const scale = unitsPerPixel(start.view);
    const dx = Math.round((event.clientX - start.x) * scale);
    const dy = Math.round((event.clientY - start.y) * scale);
    if (dx === 0 && dy === 0 && !start.moved) return;
    start.moved = true;
    replace(start.key, moveSection(start.original, dx, dy));
  };
  const onPointerUp = () => {
    const start = drag.current;
    drag.current = undefined;
    setFrozenView(undefined);
    if (!start) return;
    // A press that did not move is a click: on a seat it picks the seat, elsewhere the section.
    select(start.key, start.moved ? undefined : start.seat);
    setInSeats(!start.moved && start.seat !== undefined);
  };

  const activeId =
    selected && isInSeats && seatRef
      ? `editor-seat-${selected.key}-${seatRef.row}-${seatRef.seat}`
      : selected
        ? `editor-section-${selected.key}`
        : undefined;

  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
      <div className="flex flex-col gap-2">
        <svg
          ref={svg}
          role="application"
          aria-label={t("organizer.editor.canvas")}
          aria-describedby="seat-map-editor-help"
          aria-activedescendant={activeId}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: one composite widget (role application) whose sections and seats aria-activedescendant reaches
          tabIndex={0}
          data-testid="seat-map-editor"
          className="w-full rounded-box border border-base-300 bg-base-100 touch-none select-none focus-visible:outline-3 focus-visible:outline-accent"
          style={{ aspectRatio: `${view.width} / ${view.height}`, maxHeight: "70vh" }}
          viewBox={`${view.x} ${view.y} ${view.width} ${view.height}`}
          onKeyDown={onKeyDown}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
        >
          {sections.map((section) => (
            <SectionShape
              key={section.key}
              section={section}
              isSelected={section.key === selectedKey}
              focusedSeat={section.key === selectedKey ? seatRef : undefined}
              colors={colors}
            />
          ))}
        </svg>
        <p id="seat-map-editor-help" className="text-sm opacity-80">
          {t("organizer.editor.help")}
        </p>
        <EditorLegend colors={colors} />
        <p className="sr-only" aria-live="polite">
          {announcement}
        </p>
      </div>
      <div className="flex flex-col gap-3">
        <ul className="menu rounded-box bg-base-100 w-full p-1" aria-label={t("organizer.editor.sections")}>
          {sections.map((section) => (
            <li key={section.key}>
              <button
                type="button"
                className={section.key === selectedKey ? "menu-active" : ""}
                aria-pressed={section.key === selectedKey}
                onClick={() => {
                  select(section.key);
                  setInSeats(false);
                }}
              >
                {section.name}
              </button>
            </li>
          ))}
        </ul>
        <div className="flex flex-wrap gap-2">
          <button type="button" className="btn btn-sm" onClick={() => add(false)}>
            {t("organizer.editor.addSeated")}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => add(true)}>
            {t("organizer.editor.addArea")}
          </button>
        </div>
        {selected ? (
          <SectionPanel
            key={selected.key}
            section={selected}
            errors={errorsOfSection(errors, selectedIndex)}
            onChange={(next) => replace(selected.key, next)}
            onRemove={() => remove(selected.key)}
          />
        ) : null}
        {selected && selectedSeat && seatRef ? (
          <SeatPanel
            title={seatName(selected, seatRef)}
            seat={selectedSeat}
            onChange={(change) => updateSeat(seatRef, change)}
          />
        ) : null}
      </div>
    </div>
  );
}

/** The server's messages about section `index`, by the field path after `sections[index].`. */
function errorsOfSection(errors: Readonly<Record<string, string>>, index: number): Record<string, string> {
  const prefix = `venue.sections[${index}]`;
  return Object.fromEntries(
    Object.entries(errors)
      .filter(([field]) => field.startsWith(prefix))
      .map(([field, message]) => [field.slice(prefix.length).replace(/^\./, ""), message]),
  );
}
