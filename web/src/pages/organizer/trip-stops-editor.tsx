import type { ReactNode } from "react";
import { TextField } from "../../components/form-fields.js";
import { type MessageKey, useI18n } from "../../i18n/index.js";
import { type EventDraft, emptyStop, type StopDraft } from "./event-draft.js";

/** A trip's stops in route order, with when the vehicle arrives and leaves, and the fare of each leg. */
export function StopsEditor(props: {
  draft: EventDraft;
  set: (change: Partial<EventDraft>) => void;
  hint: (path: string) => ReactNode;
  isFrozen: boolean;
  isReadOnly: boolean;
}) {
  const { t } = useI18n();
  const { draft, set, hint } = props;
  const setStop = (i: number, change: Partial<StopDraft>) =>
    set({ stops: draft.stops.map((stop, j) => (j === i ? { ...stop, ...change } : stop)) });
  const addStop = () => set({ stops: [...draft.stops, emptyStop], legFares: [...draft.legFares, ""] });
  const removeStop = (i: number) =>
    set({
      stops: draft.stops.filter((_, j) => j !== i),
      legFares: draft.legFares.filter((_, j) => j !== Math.max(0, i - 1)),
    });
  const stopFields: ReadonlyArray<[keyof StopDraft, MessageKey, string, string]> = [
    ["name", "organizer.trip.stopName", "text", "name"],
    ["city", "organizer.trip.stopCity", "text", "city"],
    ["arrival", "organizer.trip.arrival", "datetime-local", "arrival_time"],
    ["departure", "organizer.trip.departure", "datetime-local", "departure_time"],
  ];
  return (
    <fieldset className="fieldset card bg-base-100 p-4 shadow-sm" disabled={props.isReadOnly}>
      <legend className="fieldset-legend">{t("organizer.trip.route")}</legend>
      {hint("stops")}
      <ol className="flex flex-col gap-2">
        {draft.stops.map((stop, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a stop is its position on the route
          <li key={i} className="flex flex-col gap-2">
            <fieldset
              className="flex flex-wrap items-end gap-2"
              disabled={props.isFrozen}
              aria-label={t("organizer.trip.stop", { n: i + 1 })}
            >
              {stopFields
                .filter(([field]) => isTimeOfStop(field, i, draft.stops.length))
                .map(([field, label, type, path]) => (
                  <div key={field} className="flex flex-col">
                    <TextField
                      label={label}
                      type={type}
                      value={stop[field]}
                      className=""
                      onChange={(value) => setStop(i, { [field]: value })}
                    />
                    {hint(`stops[${i}].${path}`)}
                  </div>
                ))}
              {draft.stops.length > 2 ? (
                <button type="button" className="btn btn-sm btn-ghost" onClick={() => removeStop(i)}>
                  {t("organizer.trip.removeStop")}
                </button>
              ) : null}
            </fieldset>
            {i < draft.stops.length - 1 ? (
              <div className="ml-6 flex flex-col">
                <TextField
                  label="organizer.trip.legFare"
                  inputMode="decimal"
                  className="w-40"
                  value={draft.legFares[i] ?? ""}
                  aria-label={t("organizer.trip.legFareOf", { from: stop.name, to: draft.stops[i + 1]?.name ?? "" })}
                  onChange={(price) => set({ legFares: draft.legFares.map((fare, j) => (j === i ? price : fare)) })}
                />
                {hint(`fares[${i}].price`) ?? hint(`fares[${i}]`)}
              </div>
            ) : null}
          </li>
        ))}
      </ol>
      {props.isFrozen ? null : (
        <button type="button" className="btn btn-sm w-fit" onClick={addStop}>
          {t("organizer.trip.addStop")}
        </button>
      )}
    </fieldset>
  );
}

/** The first stop has no arrival and the last no departure (resources.proto: TripStop), so neither is asked. */
function isTimeOfStop(field: keyof StopDraft, index: number, count: number): boolean {
  if (field === "arrival") return index > 0;
  if (field === "departure") return index < count - 1;
  return true;
}
