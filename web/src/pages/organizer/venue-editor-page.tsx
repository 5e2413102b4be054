import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Venue, VenueSeat } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { problemOf } from "../../api/errors.js";
import { clientOf } from "../../api/transport.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { TextField } from "../../components/form-fields.js";
import { Loading } from "../../components/loading.js";
import { SeatMapEditor } from "../../components/seat-map-editor.js";
import { type MessageKey, useI18n } from "../../i18n/index.js";
import { type EditorSection, editorSectionsOf, sectionsForRequest } from "../../lib/venue-layout.js";
import { navigate } from "../../router.js";

const catalog = clientOf(CatalogService);

/** A venue and every seat of it, page after page (ListVenueSeats pages by 1,000 by default). */
async function venueWithSeats(venueId: string): Promise<{ venue: Venue; seats: VenueSeat[] }> {
  const { venue } = await catalog.getVenue({ venueId });
  if (!venue) throw new Error("GetVenue answered no venue");
  const seats: VenueSeat[] = [];
  let pageToken = "";
  do {
    const page = await catalog.listVenueSeats({ venueId, pageSize: 5000, pageToken });
    seats.push(...page.seats);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return { venue, seats };
}

/** `/organizer/venues/new` and `/organizer/venues/:venueId`: a venue's details and its seat map. */
export function VenueEditorPage({ venueId }: { venueId?: string }) {
  const loaded = useQuery({
    queryKey: ["organizer", "venue", venueId],
    queryFn: () => venueWithSeats(venueId ?? ""),
    enabled: venueId !== undefined,
    // The editor owns the map once it is open: a refetch on focus would throw unsaved edits away.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  if (venueId === undefined) return <VenueForm />;
  if (loaded.error) return <ErrorAlert error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return <VenueForm key={venueId} venue={loaded.data.venue} seats={loaded.data.seats} />;
}

/** The details a venue has besides its map, as the form edits them. */
interface Details {
  name: string;
  city: string;
  address: string;
  countryCode: string;
  timeZone: string;
}

const detailFields: ReadonlyArray<[keyof Details, MessageKey, string]> = [
  ["name", "organizer.venue.name", "name"],
  ["city", "organizer.venue.city", "city"],
  ["address", "organizer.venue.address", "address"],
  ["countryCode", "organizer.venue.country", "country_code"],
  ["timeZone", "organizer.venue.timeZone", "time_zone"],
];

function VenueForm({ venue, seats = [] }: { venue?: Venue; seats?: readonly VenueSeat[] }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [details, setDetails] = useState<Details>({
    name: venue?.name ?? "",
    city: venue?.city ?? "",
    address: venue?.address ?? "",
    countryCode: venue?.countryCode || "BD",
    timeZone: venue?.timeZone || "Asia/Dhaka",
  });
  const [sections, setSections] = useState<EditorSection[]>(() => (venue ? editorSectionsOf(venue, seats) : []));
  const [error, setError] = useState<unknown>(undefined);
  const [isSaved, setSaved] = useState(false);
  const [isBusy, setBusy] = useState(false);
  const fields = error ? (problemOf(error).fields ?? {}) : {};

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const body = { ...details, sections: sectionsForRequest(sections) };
      if (venue) {
        // An empty mask changes every field, the whole map included (catalog.proto: UpdateVenueRequest).
        await catalog.updateVenue({ venue: { ...body, id: venue.id } });
        await queryClient.invalidateQueries({ queryKey: ["organizer"] });
        setSaved(true);
      } else {
        const created = await catalog.createVenue({ venue: body });
        await queryClient.invalidateQueries({ queryKey: ["organizer"] });
        navigate(`/organizer/venues/${created.venue?.id ?? ""}`, { replace: true });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="flex flex-col gap-4" onSubmit={save} aria-labelledby="venue-heading">
      <h1 id="venue-heading" className="text-2xl font-bold">
        {venue ? t("organizer.venue.editTitle", { name: venue.name }) : t("organizer.venue.newTitle")}
      </h1>
      {error ? <ErrorAlert error={error} /> : null}
      {isSaved ? (
        <p role="status" className="alert alert-success" data-testid="venue-saved">
          {t("organizer.venue.saved")}
        </p>
      ) : null}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
        {detailFields.map(([field, label, path]) => (
          <div key={field} className="flex flex-col">
            <TextField
              label={label}
              value={details[field]}
              required={field === "name"}
              aria-invalid={fields[`venue.${path}`] ? true : undefined}
              onChange={(value) => setDetails((before) => ({ ...before, [field]: value }))}
            />
            {fields[`venue.${path}`] ? <span className="text-error text-sm">{fields[`venue.${path}`]}</span> : null}
          </div>
        ))}
      </div>
      <section aria-labelledby="map-heading" className="card bg-base-100 shadow-sm">
        <div className="card-body gap-3">
          <h2 id="map-heading" className="card-title">
            {t("organizer.venue.map")}
          </h2>
          {fields["venue.sections"] ? <p className="text-error">{fields["venue.sections"]}</p> : null}
          <SeatMapEditor sections={sections} onChange={setSections} errors={fields} />
        </div>
      </section>
      <div>
        <button type="submit" className="btn btn-primary" disabled={isBusy}>
          {venue ? t("organizer.venue.save") : t("organizer.venue.create")}
        </button>
      </div>
    </form>
  );
}
