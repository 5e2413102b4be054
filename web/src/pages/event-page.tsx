import { useQuery } from "@connectrpc/connect-query";
import type { Ride } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { type Event, EventKind, type EventSeat } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { type Hold, InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { useQuery as useTanstackQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState, useSyncExternalStore } from "react";
import { type Problem, problemOf } from "../api/errors.js";
import { toLocalTime } from "../api/server-clock.js";
import { currentSession, subscribeToSession } from "../api/session.js";
import { clientOf } from "../api/transport.js";
import { Countdown } from "../components/countdown.js";
import { ErrorAlert } from "../components/error-alert.js";
import { SelectField } from "../components/form-fields.js";
import { Loading } from "../components/loading.js";
import { SeatMap } from "../components/seat-map.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { isFree } from "../lib/availability.js";
import { formatDateTime, formatMoney, millisOf } from "../lib/format.js";
import { rememberedHold, rememberHold } from "../lib/hold-store.js";
import { useAvailability } from "../lib/use-availability.js";
import { navigate, useLocation } from "../router.js";

const catalog = clientOf(CatalogService);
const inventory = clientOf(InventoryService);

/** Every seat of the event, page after page (an arena has thousands). */
async function allSeats(eventId: string): Promise<EventSeat[]> {
  const seats: EventSeat[] = [];
  let pageToken = "";
  do {
    const page = await catalog.listSeats({ eventId, pageSize: 1000, pageToken });
    seats.push(...page.seats);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return seats;
}

/**
 * An event's or a trip's page: what, when, where; for a trip the ride (where the traveller boards and
 * gets off, which decides the fare and which seats are free); the live seat map, "best available" and
 * general-admission quantities; and the buyer's hold with its countdown, extension and release.
 */
export function EventPage({ eventId }: { eventId: string }) {
  const { t, locale } = useI18n();
  const { query } = useLocation();
  const event = useQuery(CatalogService.method.getEvent, { eventId });
  const seatMap = useQuery(CatalogService.method.getSeatMap, { eventId });
  const seats = useTanstackQuery({ queryKey: ["seats", eventId], queryFn: () => allSeats(eventId) });
  const trip = event.data?.event?.kind === EventKind.TRIP ? event.data.event : undefined;
  const ride = trip ? rideOf(trip, query) : undefined;
  const availability = useAvailability(eventId, ride, event.data !== undefined);
  const session = useSyncExternalStore(subscribeToSession, currentSession, currentSession);

  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [hold, setHeld] = useState<Hold | undefined>(() => rememberedHold(eventId));
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [isBusy, setBusy] = useState(false);
  const maxSeats = event.data?.event?.holdPolicy?.maxSeatsPerUser || 10;

  const setHold = useCallback(
    (next: Hold | undefined) => {
      setHeld(next);
      rememberHold(eventId, next);
    },
    [eventId],
  );
  const mine = useMemo(() => new Set(hold?.seatIds ?? []), [hold]);
  // A seat picked a moment ago that someone else has just held drops out of the selection, with a word.
  const selectedFree = [...selected].filter((id) => isFree(availability, id) || !availability.isLive);
  const lostSeats = selected.size - selectedFree.length;

  const toggle = (seatId: string) => {
    setProblem(undefined);
    setSelected((before) => {
      const next = new Set(before);
      if (next.has(seatId)) next.delete(seatId);
      else if (next.size < maxSeats) next.add(seatId);
      else setProblem({ key: "error.seatCap" });
      return next;
    });
  };

  /** Runs a hold-changing call; signed-out buyers go to sign in and come back here. */
  const act = async (call: () => Promise<Hold | undefined>) => {
    if (!session) {
      navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      setHold(await call());
      setSelected(new Set());
    } catch (error) {
      const found = problemOf(error);
      setProblem(found);
      if (found.takenSeatIds) {
        const taken = new Set(found.takenSeatIds);
        setSelected((before) => new Set([...before].filter((id) => !taken.has(id))));
      }
    } finally {
      setBusy(false);
    }
  };
  const holdSelected = () =>
    act(async () => (await inventory.holdSeats({ eventId, ...(ride ? { ride } : {}), seatIds: selectedFree })).hold);
  const holdBest = (quantity: number) =>
    act(async () => (await inventory.holdBestAvailable({ eventId, ...(ride ? { ride } : {}), quantity })).hold);
  const holdPlaces = (sectionId: string, quantity: number) =>
    act(async () => (await inventory.holdSeats({ eventId, places: [{ sectionId, quantity }] })).hold);
  const extend = () => act(async () => (await inventory.extendHold({ holdId: hold?.id ?? "" })).hold);
  const release = () =>
    act(async () => {
      await inventory.releaseHold({ holdId: hold?.id ?? "" });
      return undefined;
    });
  const expire = useCallback(() => {
    setHold(undefined);
    setProblem({ key: "error.holdExpired" });
  }, [setHold]);

  if (event.error) return <ErrorAlert error={event.error} />;
  const info = event.data?.event;
  if (!info || !seatMap.data) return <Loading />;
  const seatedSections = seatMap.data.sections.filter((section) => !section.isGeneralAdmission);
  const gaSections = seatMap.data.sections.filter((section) => section.isGeneralAdmission);

  return (
    <div className="flex flex-col gap-4">
      <header>
        <h1 className="text-2xl font-bold">{info.title}</h1>
        <p>{formatDateTime(info.startTime?.seconds, locale)}</p>
        <p className="opacity-80">{trip ? routeOf(trip) : `${info.venueName}, ${info.city}`}</p>
        {info.description ? <p className="mt-2 max-w-prose">{info.description}</p> : null}
      </header>
      {trip && ride ? <RidePicker trip={trip} ride={ride} sampleSeatId={seats.data?.[0]?.id} /> : null}
      {problem ? <ProblemAlert problem={problem} /> : null}
      {lostSeats > 0 ? (
        <div role="alert" className="alert alert-warning" data-testid="seats-lost">
          {t("error.seatsJustTaken", { count: lostSeats })}
        </div>
      ) : null}
      {hold ? <HoldPanel hold={hold} isBusy={isBusy} onExtend={extend} onRelease={release} onExpire={expire} /> : null}
      {seatedSections.length > 0 && seats.data ? (
        <section aria-labelledby="seats-heading" className="card bg-base-100 shadow-sm">
          <div className="card-body gap-3">
            <h2 id="seats-heading" className="card-title">
              {t("event.pickSeats")}
            </h2>
            <SeatMap
              sections={seatedSections}
              seats={seats.data}
              tiers={seatMap.data.priceTiers}
              availability={availability}
              selected={new Set(selectedFree)}
              mine={mine}
              onToggle={toggle}
            />
            <div className="flex flex-wrap items-center gap-3">
              <SelectionPrice eventId={eventId} ride={ride} seatIds={selectedFree} />
              <button
                type="button"
                className="btn btn-primary"
                disabled={selectedFree.length === 0 || isBusy || hold !== undefined}
                onClick={holdSelected}
              >
                {t("event.holdSeats", { count: selectedFree.length })}
              </button>
              <BestAvailable max={maxSeats} disabled={isBusy || hold !== undefined} onHold={holdBest} />
            </div>
          </div>
        </section>
      ) : null}
      {gaSections.map((section) => (
        <GeneralAdmissionPicker
          key={section.id}
          name={section.name}
          available={availability.sections.get(section.id)?.available}
          max={maxSeats}
          disabled={isBusy || hold !== undefined}
          onHold={(quantity) => holdPlaces(section.id, quantity)}
        />
      ))}
    </div>
  );
}

function ProblemAlert({ problem }: { problem: Problem }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="alert alert-error" data-testid="error">
      {t(problem.key, problem.params)}
    </div>
  );
}

function rideOf(trip: Event, query: URLSearchParams): Ride {
  const first = trip.stops[0]?.id ?? "";
  const last = trip.stops[trip.stops.length - 1]?.id ?? "";
  return {
    $typeName: "marquee.api.v1.Ride",
    boardingStopId: query.get("board") ?? first,
    alightingStopId: query.get("alight") ?? last,
  };
}

function routeOf(trip: Event): string {
  return trip.stops.map((stop) => stop.name).join(" → ");
}

/**
 * What the picked seats cost, from the server (QuotePrice: for a trip, the fare of this ride, which the
 * operator may price below the sum of its legs); the page never adds prices up itself.
 */
function SelectionPrice({ eventId, ride, seatIds }: { eventId: string; ride?: Ride; seatIds: readonly string[] }) {
  const { t, locale } = useI18n();
  const quote = useQuery(
    CatalogService.method.quotePrice,
    { eventId, ...(ride ? { ride } : {}), seatIds: [...seatIds] },
    { enabled: seatIds.length > 0 },
  );
  if (seatIds.length === 0 || !quote.data) return null;
  return (
    <p className="font-semibold" data-testid="selection-price">
      {t("event.selectionPrice", { count: seatIds.length, price: formatMoney(quote.data.total, locale) })}
    </p>
  );
}

/** Where the traveller boards and gets off; the seats free and the fare are those of this ride. */
function RidePicker({ trip, ride, sampleSeatId }: { trip: Event; ride: Ride; sampleSeatId?: string }) {
  const { t, locale } = useI18n();
  const { query } = useLocation();
  const boardIndex = trip.stops.findIndex((stop) => stop.id === ride.boardingStopId);
  // The fare of one seat of this ride, as QuotePrice prices it (a stretch without a fare of its own is
  // the sum of its legs' fares, by the catalog's rules).
  const quote = useQuery(
    CatalogService.method.quotePrice,
    { eventId: trip.id, ride, seatIds: sampleSeatId ? [sampleSeatId] : [] },
    { enabled: sampleSeatId !== undefined },
  );
  const fare = quote.data?.total;
  const pick = (name: "board" | "alight", stopId: string) => {
    const next = new URLSearchParams(query);
    next.set(name, stopId);
    if (name === "board") {
      const index = trip.stops.findIndex((stop) => stop.id === stopId);
      const alight = trip.stops.findIndex((stop) => stop.id === ride.alightingStopId);
      if (alight <= index) next.set("alight", trip.stops[index + 1]?.id ?? stopId);
    }
    navigate(`${location.pathname}?${next}`, { replace: true });
  };
  const departure = trip.stops[boardIndex]?.departureTime?.seconds;
  return (
    <section className="flex flex-wrap items-end gap-3" aria-label={t("trip.ride")}>
      <SelectField
        label="trip.board"
        className=""
        value={ride.boardingStopId}
        onChange={(stopId) => pick("board", stopId)}
        options={trip.stops.slice(0, -1).map((stop) => [stop.id, stop.name])}
      />
      <SelectField
        label="trip.alight"
        className=""
        value={ride.alightingStopId}
        onChange={(stopId) => pick("alight", stopId)}
        options={trip.stops.slice(boardIndex + 1).map((stop) => [stop.id, stop.name])}
      />
      <p className="pb-3">
        {departure ? t("trip.departs", { time: formatDateTime(departure, locale) }) : null}
        {fare ? ` · ${t("trip.fare", { price: formatMoney(fare, locale) })}` : null}
      </p>
    </section>
  );
}

/** A small number input from 1 to `max`, whatever is typed into it. */
function QuantityField(props: {
  label: MessageKey;
  max: number;
  value: number;
  onChange: (quantity: number) => void;
  className?: string;
}) {
  const { t } = useI18n();
  return (
    <label className={`flex items-center gap-2 ${props.className ?? ""}`}>
      <span className="text-sm">{t(props.label)}</span>
      <input
        className="input input-bordered input-sm w-20"
        type="number"
        min={1}
        max={props.max}
        value={props.value}
        onChange={(event) => props.onChange(Math.max(1, Math.min(props.max, Number(event.target.value) || 1)))}
      />
    </label>
  );
}

/** "Best available": the server picks N seats together, the fastest way through a busy on-sale. */
function BestAvailable({ max, disabled, onHold }: { max: number; disabled: boolean; onHold: (n: number) => void }) {
  const { t } = useI18n();
  const [quantity, setQuantity] = useState(2);
  return (
    <div className="join">
      <QuantityField
        label="event.bestQuantity"
        className="join-item px-2"
        max={max}
        value={quantity}
        onChange={setQuantity}
      />
      <button
        type="button"
        className="btn btn-secondary join-item"
        disabled={disabled}
        onClick={() => onHold(quantity)}
      >
        {t("event.bestAvailable")}
      </button>
    </div>
  );
}

function GeneralAdmissionPicker(props: {
  name: string;
  available: number | undefined;
  max: number;
  disabled: boolean;
  onHold: (quantity: number) => void;
}) {
  const { t } = useI18n();
  const [quantity, setQuantity] = useState(1);
  const limit = Math.min(props.max, props.available ?? props.max);
  return (
    <section className="card bg-base-100 shadow-sm" aria-label={props.name}>
      <div className="card-body flex-row flex-wrap items-center gap-4">
        <h2 className="card-title">{props.name}</h2>
        <p>{props.available === undefined ? "" : t("event.placesLeft", { count: props.available })}</p>
        <QuantityField label="event.quantity" max={limit} value={quantity} onChange={setQuantity} />
        <button
          type="button"
          className="btn btn-primary"
          disabled={props.disabled || limit < 1}
          onClick={() => props.onHold(quantity)}
        >
          {t("event.holdPlaces")}
        </button>
      </div>
    </section>
  );
}

/** The live hold: its seats, the time left on the server's clock, and what the buyer can do with it. */
function HoldPanel(props: {
  hold: Hold;
  isBusy: boolean;
  onExtend: () => void;
  onRelease: () => void;
  onExpire: () => void;
}) {
  const { t } = useI18n();
  const { hold } = props;
  const count = hold.seatIds.length + hold.places.reduce((sum, place) => sum + place.quantity, 0);
  return (
    <section className="alert alert-info flex flex-wrap justify-between" aria-label={t("hold.title")}>
      <p>
        {t("hold.held", { count })} · {t("hold.expiresIn")}{" "}
        <Countdown deadline={toLocalTime(millisOf(hold.expireTime))} onExpire={props.onExpire} />
      </p>
      <div className="flex gap-2">
        {hold.extensionsLeft > 0 ? (
          <button type="button" className="btn btn-sm" disabled={props.isBusy} onClick={props.onExtend}>
            {t("hold.extend")}
          </button>
        ) : null}
        <button type="button" className="btn btn-sm btn-ghost" disabled={props.isBusy} onClick={props.onRelease}>
          {t("hold.release")}
        </button>
        <button type="button" className="btn btn-sm btn-primary" onClick={() => navigate(`/checkout/${hold.id}`)}>
          {t("hold.checkout")}
        </button>
      </div>
    </section>
  );
}
