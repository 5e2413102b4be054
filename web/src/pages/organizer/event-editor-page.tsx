import { useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { type Event, EventKind, EventState, type Venue } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { problemOf } from "../../api/errors.js";
import { clientOf } from "../../api/transport.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { SelectField, TextField } from "../../components/form-fields.js";
import { Loading } from "../../components/loading.js";
import { useI18n } from "../../i18n/index.js";
import { Link, navigate } from "../../router.js";
import { EventActions, StateBadge } from "./event-actions.js";
import {
  categoryKeys,
  draftOf,
  type EventDraft,
  editableWhenPublished,
  eventOf,
  newEventDraft,
} from "./event-draft.js";
import { Field } from "./field.js";
import { PriceTiersEditor } from "./price-tiers-editor.js";
import { StopsEditor } from "./trip-stops-editor.js";

const catalog = clientOf(CatalogService);

/** `/organizer/events/new` and `/organizer/events/:eventId`: an event or trip, its prices, and its lifecycle. */
export function EventEditorPage({ eventId }: { eventId?: string }) {
  const { t } = useI18n();
  const venues = useQuery(CatalogService.method.listVenues, { pageSize: 200 });
  const event = useQuery(
    CatalogService.method.getEvent,
    { eventId: eventId ?? "" },
    { enabled: eventId !== undefined },
  );
  if (venues.error || event.error) return <ErrorAlert error={venues.error ?? event.error} />;
  if (!venues.data || (eventId !== undefined && !event.data?.event)) return <Loading />;
  const info = event.data?.event;
  return (
    <div className="flex flex-col gap-4">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold">{info ? info.title : t("organizer.event.newTitle")}</h1>
        {info ? <StateBadge state={info.state} /> : null}
        {info ? (
          <nav className="flex gap-2" aria-label={t("organizer.event.links")}>
            <Link href={`/organizer/events/${info.id}/sales`} className="btn btn-sm btn-ghost">
              {t("organizer.event.sales")}
            </Link>
            {info.state !== EventState.DRAFT ? (
              <Link href={`/events/${info.id}`} className="btn btn-sm btn-ghost">
                {t("organizer.event.publicPage")}
              </Link>
            ) : null}
          </nav>
        ) : null}
      </header>
      {info ? <EventActions event={info} /> : null}
      <EventForm key={`${info?.id}-${info?.state}`} event={info} venues={venues.data.venues} />
    </div>
  );
}

function EventForm({ event, venues }: { event?: Event; venues: readonly Venue[] }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<EventDraft>(() =>
    event ? draftOf(event) : { ...newEventDraft, venueId: venues[0]?.id ?? "" },
  );
  const [error, setError] = useState<unknown>(undefined);
  const [isBusy, setBusy] = useState(false);
  const [isSaved, setSaved] = useState(false);
  const fields = error ? (problemOf(error).fields ?? {}) : {};
  const isDraft = event === undefined || event.state === EventState.DRAFT;
  const isReadOnly = event?.state === EventState.CANCELLED;
  const isTrip = draft.kind === EventKind.TRIP;
  const venue = venues.find((v) => v.id === draft.venueId);
  const set = (change: Partial<EventDraft>) => setDraft((before) => ({ ...before, ...change }));
  /** The server's message for a field path under `event.`, shown beneath its field. */
  const hint = (path: string): ReactNode =>
    fields[`event.${path}`] ? <span className="text-error text-sm">{fields[`event.${path}`]}</span> : null;
  /** Frozen at publication (catalog.proto: UpdateEvent) or cancelled: shown, not editable. */
  const isFrozen = (field: string) => isReadOnly || (!isDraft && !editableWhenPublished.includes(field));

  const save = async (submitted: FormEvent) => {
    submitted.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      if (event) {
        // A draft changes whole (an empty mask); a published event only what stays editable once on sale.
        await catalog.updateEvent({
          event: { ...eventOf(draft), id: event.id },
          updateMask: {
            paths: isDraft ? [] : editableWhenPublished.filter((f) => f !== (isTrip ? "price_tiers" : "fares")),
          },
        });
        setSaved(true);
        await queryClient.invalidateQueries();
      } else {
        const created = await catalog.createEvent({ event: eventOf(draft) });
        await queryClient.invalidateQueries();
        navigate(`/organizer/events/${created.event?.id ?? ""}`, { replace: true });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="flex flex-col gap-4" onSubmit={save} aria-label={t("organizer.event.form")}>
      {error ? <ErrorAlert error={error} /> : null}
      {isSaved ? (
        <p role="status" className="alert alert-success">
          {t("organizer.event.saved")}
        </p>
      ) : null}
      <fieldset className="grid grid-cols-1 gap-3 md:grid-cols-3" disabled={isReadOnly}>
        <Field hint={hint("kind")} disabled={event !== undefined}>
          <SelectField
            label="organizer.event.kind"
            value={draft.kind}
            onChange={(kind) => set({ kind: Number(kind) as EventKind })}
            options={[
              [EventKind.EVENT, t("organizer.event.kindEvent")],
              [EventKind.TRIP, t("organizer.event.kindTrip")],
            ]}
          />
        </Field>
        <Field hint={hint("category")} disabled={isFrozen("category")}>
          <SelectField
            label="organizer.event.category"
            value={draft.category}
            onChange={(category) => set({ category: Number(category) })}
            options={categoryKeys.map(([value, key]) => [value, t(key)] as const)}
          />
        </Field>
        <Field hint={hint("venue_id")} disabled={isFrozen("venue_id")}>
          <SelectField
            label={isTrip ? "organizer.event.vehicle" : "organizer.event.venue"}
            value={draft.venueId}
            onChange={(venueId) => set({ venueId, tiers: [] })}
            options={[["", t("organizer.event.pickVenue")], ...venues.map((v) => [v.id, v.name] as const)]}
          />
        </Field>
        <Field hint={hint("title")} wide>
          <TextField label="organizer.event.title" value={draft.title} required onChange={(title) => set({ title })} />
        </Field>
        <Field hint={hint("currency_code")}>
          <TextField
            label="organizer.event.currency"
            value={draft.currencyCode}
            maxLength={3}
            disabled={isFrozen("currency_code")}
            onChange={(currencyCode) => set({ currencyCode })}
          />
        </Field>
        <Field hint={hint("description")} wide>
          <label className="form-control">
            <span className="label-text">{t("organizer.event.description")}</span>
            <textarea
              className="textarea textarea-bordered w-full"
              value={draft.description}
              onChange={(e) => set({ description: e.target.value })}
            />
          </label>
        </Field>
        <Field hint={hint("hold_policy.max_seats_per_user")}>
          <TextField
            label="organizer.event.maxSeats"
            type="number"
            min={1}
            max={100}
            value={draft.maxSeatsPerUser}
            onChange={(maxSeatsPerUser) => set({ maxSeatsPerUser })}
          />
        </Field>
        {isTrip ? null : (
          <>
            <Field hint={hint("start_time")}>
              <TextField
                label="organizer.event.start"
                type="datetime-local"
                value={draft.start}
                disabled={isFrozen("start_time")}
                onChange={(start) => set({ start })}
              />
            </Field>
            <Field hint={hint("end_time")}>
              <TextField
                label="organizer.event.end"
                type="datetime-local"
                value={draft.end}
                disabled={isFrozen("end_time")}
                onChange={(end) => set({ end })}
              />
            </Field>
          </>
        )}
      </fieldset>
      {isTrip ? (
        <StopsEditor draft={draft} set={set} hint={hint} isFrozen={isFrozen("stops")} isReadOnly={isReadOnly} />
      ) : (
        <PriceTiersEditor
          tiers={draft.tiers}
          sections={venue?.sections ?? []}
          onChange={(tiers) => set({ tiers })}
          hint={hint}
          isReadOnly={isReadOnly}
        />
      )}
      {isReadOnly ? null : (
        <div>
          <button type="submit" className="btn btn-primary" disabled={isBusy}>
            {event ? t("organizer.event.save") : t("organizer.event.create")}
          </button>
        </div>
      )}
    </form>
  );
}
