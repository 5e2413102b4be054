import { useI18n } from "../i18n/index.js";
import { boundsOfSection, type EditorSection, originOf, type SeatRef } from "../lib/venue-layout.js";
import { tierColors } from "./seat-map.js";

const seatRadius = 0.38;
const focusColor = "#f59e0b";

/** Seat classes get the price legend's colours in order of first appearance, so the same class reads alike. */
export function classColors(sections: readonly EditorSection[]): Map<string, string> {
  const colors = new Map<string, string>();
  for (const seat of sections.flatMap((section) => section.rows.flatMap((row) => row.seats))) {
    if (!colors.has(seat.seatClass)) colors.set(seat.seatClass, tierColors[colors.size % tierColors.length] ?? "");
  }
  return colors;
}

/** What a screen reader says of a section (its name and place) and of a seat (where, class, state). */
export function useEditorLabels() {
  const { t } = useI18n();
  const seatName = (section: EditorSection, ref: SeatRef) => {
    const row = section.rows[ref.row];
    const seat = row?.seats[ref.seat];
    if (!row || !seat) return "";
    const details = [
      seat.seatClass,
      seat.isRemoved ? t("organizer.editor.removed") : "",
      seat.isAccessible ? t("organizer.editor.accessible") : "",
    ];
    return t("organizer.editor.seatLabel", {
      section: section.name,
      row: row.label,
      seat: seat.label,
      details: details.filter(Boolean).join(", "),
    });
  };
  const sectionName = (section: EditorSection) => {
    const origin = originOf(section);
    return t("organizer.editor.sectionLabel", { name: section.name, x: origin.x, y: origin.y });
  };
  return { seatName, sectionName };
}

/**
 * One section on the editor's canvas: its outline and name, and its seats — circles filled by class,
 * squares when accessible (told apart by shape, not colour alone), dashed rings when removed. The ids are
 * what the canvas's aria-activedescendant names; the data attributes are what a press on it reads.
 */
export function SectionShape(props: {
  section: EditorSection;
  isSelected: boolean;
  focusedSeat: SeatRef | undefined;
  colors: ReadonlyMap<string, string>;
}) {
  const { t } = useI18n();
  const { seatName, sectionName } = useEditorLabels();
  const { section, isSelected, focusedSeat, colors } = props;
  const box = boundsOfSection(section);
  return (
    // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG group naming a section; the canvas (role application) is the widget
    // biome-ignore lint/a11y/useSemanticElements: a <fieldset> cannot sit in an SVG
    <g
      id={`editor-section-${section.key}`}
      role="group"
      aria-label={sectionName(section)}
      data-section-key={section.key}
      className="cursor-move"
    >
      <rect
        x={box.x - 0.3}
        y={box.y - 1.3}
        width={box.width + 0.6}
        height={box.height + 1.6}
        rx={0.4}
        className={section.isGeneralAdmission ? "fill-base-300" : "fill-base-200"}
        stroke={isSelected ? focusColor : "#9ca3af"}
        strokeWidth={isSelected ? 0.15 : 0.05}
        strokeDasharray={section.isGeneralAdmission ? "0.4 0.2" : undefined}
      />
      <text x={box.x} y={box.y - 0.5} fontSize={0.6} className="fill-base-content">
        {section.isGeneralAdmission
          ? `${section.name} · ${t("organizer.editor.places", { count: section.capacity })}`
          : section.name}
      </text>
      {section.rows.map((row, r) =>
        row.seats.map((seat, s) => {
          const isFocused = focusedSeat?.row === r && focusedSeat.seat === s;
          const shape = {
            id: `editor-seat-${section.key}-${r}-${s}`,
            role: "img",
            "aria-label": seatName(section, { row: r, seat: s }),
            "data-row": r,
            "data-seat": s,
            "data-seat-label": `${row.label}-${seat.label}`,
            fill: seat.isRemoved ? "none" : colors.get(seat.seatClass),
            stroke: isFocused ? focusColor : seat.isRemoved ? "#9ca3af" : "none",
            strokeWidth: isFocused ? 0.18 : 0.06,
            strokeDasharray: seat.isRemoved && !isFocused ? "0.1 0.08" : undefined,
          };
          const key = `${row.label}-${seat.label}`;
          return seat.isAccessible ? (
            <rect
              key={key}
              x={seat.x - seatRadius}
              y={seat.y - seatRadius}
              width={seatRadius * 2}
              height={seatRadius * 2}
              {...shape}
            />
          ) : (
            <circle key={key} cx={seat.x} cy={seat.y} r={seatRadius} {...shape} />
          );
        }),
      )}
    </g>
  );
}

/** The seat classes' colours, and what a square and a dashed ring mean. */
export function EditorLegend({ colors }: { colors: ReadonlyMap<string, string> }) {
  const { t } = useI18n();
  return (
    <ul className="flex flex-wrap gap-3 text-sm" aria-label={t("organizer.editor.legend")}>
      {[...colors].map(([seatClass, color]) => (
        <li key={seatClass} className="flex items-center gap-1">
          <span className="inline-block size-3 rounded-full" style={{ background: color }} aria-hidden="true" />
          {seatClass}
        </li>
      ))}
      <li className="flex items-center gap-1">
        <span className="inline-block size-3 bg-neutral" aria-hidden="true" />
        {t("organizer.editor.accessible")}
      </li>
      <li className="flex items-center gap-1">
        <span className="inline-block size-3 rounded-full border border-dashed border-neutral" aria-hidden="true" />
        {t("organizer.editor.removed")}
      </li>
    </ul>
  );
}
