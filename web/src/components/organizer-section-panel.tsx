import { type FormEvent, useState } from "react";
import { useI18n } from "../i18n/index.js";
import {
  type EditorSeat,
  type EditorSection,
  type GridSpec,
  generateRows,
  gridLimits,
  isRowLabelSeed,
  originOf,
  seatCountOf,
} from "../lib/venue-layout.js";
import { TextField } from "./form-fields.js";

/** Seat classes offered as suggestions; any other word is taken too (resources.proto: Seat.seat_class). */
const seatClasses = ["standard", "premium", "vip", "aisle", "window", "business", "economy", "wheelchair"];

/** The server's message for a field of the section, shown under that field. */
function FieldError({ message }: { message: string | undefined }) {
  return message ? <span className="text-error text-sm">{message}</span> : null;
}

/**
 * The selected section's settings: its name, and either a general-admission capacity or the grid its
 * seats are generated from. Generating replaces the section's seats, at the section's place on the map.
 */
export function SectionPanel(props: {
  section: EditorSection;
  errors: Readonly<Record<string, string>>;
  onChange: (section: EditorSection) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const { section, errors, onChange } = props;
  return (
    <section className="card bg-base-100 shadow-sm" aria-label={t("organizer.editor.sectionSettings")}>
      <div className="card-body gap-2 p-4">
        <TextField
          label="organizer.editor.sectionName"
          value={section.name}
          required
          onChange={(name) => onChange({ ...section, name })}
        />
        <FieldError message={errors.name ?? errors.id} />
        <p className="text-sm">
          {section.isGeneralAdmission
            ? t("organizer.editor.kindArea")
            : t("organizer.editor.seatCount", { count: seatCountOf(section) })}
        </p>
        {section.isGeneralAdmission ? (
          <>
            <TextField
              label="organizer.editor.capacity"
              type="number"
              min={1}
              max={200_000}
              value={section.capacity}
              onChange={(value) => onChange({ ...section, capacity: Math.max(0, Math.floor(Number(value) || 0)) })}
            />
            <FieldError message={errors["general_admission.capacity"]} />
          </>
        ) : (
          <GridForm section={section} errors={errors} onChange={onChange} />
        )}
        <button type="button" className="btn btn-sm btn-outline btn-error" onClick={props.onRemove}>
          {t("organizer.editor.removeSection")}
        </button>
      </div>
    </section>
  );
}

/** Rows × seats, first row label and aisles: the contract's RowGenerator, expanded here into seats. */
function GridForm(props: {
  section: EditorSection;
  errors: Readonly<Record<string, string>>;
  onChange: (section: EditorSection) => void;
}) {
  const { t } = useI18n();
  const { section } = props;
  const [rowCount, setRowCount] = useState(String(section.rows.length || 5));
  const [seatsPerRow, setSeatsPerRow] = useState(String(section.rows[0]?.seats.length || 10));
  const [firstRowLabel, setFirstRowLabel] = useState(section.rows[0]?.label ?? "A");
  const [aisles, setAisles] = useState("");
  const [seatClass, setSeatClass] = useState("standard");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const rowErrors = Object.entries(props.errors).filter(([field]) => field.startsWith("seated"));

  const generate = (event: FormEvent) => {
    event.preventDefault();
    const spec: GridSpec = {
      rowCount: Number(rowCount),
      seatsPerRow: Number(seatsPerRow),
      firstRowLabel: firstRowLabel.trim() || "A",
      aisleAfterSeats: aisles
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number),
      seatClass: seatClass.trim() || "standard",
    };
    const isCount = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
    if (!isCount(spec.rowCount, gridLimits.maxRows) || !isCount(spec.seatsPerRow, gridLimits.maxSeatsPerRow)) {
      setProblem(t("organizer.editor.gridCounts", { max: gridLimits.maxRows }));
      return;
    }
    if (!isRowLabelSeed(spec.firstRowLabel)) {
      setProblem(t("organizer.editor.gridFirstRow"));
      return;
    }
    if (spec.aisleAfterSeats.some((after) => !Number.isInteger(after) || after < 1 || after >= spec.seatsPerRow)) {
      setProblem(t("organizer.editor.gridAisles", { max: spec.seatsPerRow - 1 }));
      return;
    }
    setProblem(undefined);
    const origin = originOf(section);
    props.onChange({ ...section, rows: generateRows(spec, origin.x, origin.y), grid: spec });
  };

  // A form inside the venue's form would nest <form>s: this one is a group whose button submits it.
  return (
    <fieldset className="fieldset flex flex-col gap-2" aria-describedby={problem ? "grid-problem" : undefined}>
      <legend className="fieldset-legend">{t("organizer.editor.grid")}</legend>
      <div className="grid grid-cols-2 gap-2">
        <TextField
          label="organizer.editor.rowCount"
          type="number"
          min={1}
          max={500}
          value={rowCount}
          onChange={setRowCount}
        />
        <TextField
          label="organizer.editor.seatsPerRow"
          type="number"
          min={1}
          max={500}
          value={seatsPerRow}
          onChange={setSeatsPerRow}
        />
        <TextField label="organizer.editor.firstRow" value={firstRowLabel} onChange={setFirstRowLabel} />
        <TextField
          label="organizer.editor.aisles"
          value={aisles}
          placeholder="2, 8"
          inputMode="numeric"
          onChange={setAisles}
        />
      </div>
      <TextField label="organizer.editor.gridClass" value={seatClass} list="seat-classes" onChange={setSeatClass} />
      {problem ? (
        <p id="grid-problem" role="alert" className="text-error text-sm">
          {problem}
        </p>
      ) : null}
      {rowErrors.map(([field, message]) => (
        <p key={field} className="text-error text-sm">
          {field}: {message}
        </p>
      ))}
      <button type="button" className="btn btn-sm btn-secondary" onClick={generate}>
        {section.rows.length > 0 ? t("organizer.editor.regenerate") : t("organizer.editor.generate")}
      </button>
      <datalist id="seat-classes">
        {seatClasses.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
    </fieldset>
  );
}

/** The picked seat: its class, whether it is accessible, and removing or restoring it. */
export function SeatPanel(props: { title: string; seat: EditorSeat; onChange: (change: Partial<EditorSeat>) => void }) {
  const { t } = useI18n();
  const { seat, onChange } = props;
  return (
    <section className="card bg-base-100 shadow-sm" aria-label={t("organizer.editor.seatSettings")}>
      <div className="card-body gap-2 p-4">
        <h3 className="font-semibold" data-testid="picked-seat">
          {props.title}
        </h3>
        <TextField
          label="organizer.editor.seatClass"
          value={seat.seatClass}
          list="seat-classes"
          onChange={(seatClass) => onChange({ seatClass })}
        />
        <label className="label cursor-pointer justify-start gap-2">
          <input
            type="checkbox"
            className="checkbox checkbox-sm"
            checked={seat.isAccessible}
            onChange={(event) => onChange({ isAccessible: event.target.checked })}
          />
          <span>{t("organizer.editor.markAccessible")}</span>
        </label>
        <button type="button" className="btn btn-sm" onClick={() => onChange({ isRemoved: !seat.isRemoved })}>
          {seat.isRemoved ? t("organizer.editor.restoreSeat") : t("organizer.editor.removeSeat")}
        </button>
      </div>
    </section>
  );
}
