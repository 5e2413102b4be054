import { useInfiniteQuery, useQuery } from "@connectrpc/connect-query";
import { Category } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import {
  AvailabilityLevel,
  ResultKind,
  SearchOrder,
  type SearchResult,
  SearchService,
  SuggestionType,
} from "@marquee/proto/marquee/search/v1/search_pb.js";
import { useId } from "react";
import { ErrorAlert } from "../components/error-alert.js";
import { SelectField, TextField } from "../components/form-fields.js";
import { Loading } from "../components/loading.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { categoryKeys } from "../lib/categories.js";
import { formatDateTime, formatMoney } from "../lib/format.js";
import { searchRequestOf } from "../lib/search-request.js";
import { useDebounced } from "../lib/use-debounced.js";
import { Link, navigate, useLocation } from "../router.js";

/** How long typing must pause before the search (and the suggestions) follow it. */
const typingPauseMs = 250;

/**
 * The home page: SearchService over everything on sale — free text with suggestions as one types, what
 * and which category (with the number of results in each), a city, or a route from one stop to another
 * (a trip then shows that ride: its fare and its seats), dates, a price range, only what has seats left,
 * and an order. The search lives in the URL, so it can be shared and the back button returns to it; more
 * results load below the last.
 */
export function HomePage() {
  const { t, locale } = useI18n();
  const { query } = useLocation();
  const value = (name: string) => query.get(name) ?? "";
  const request = searchRequestOf(useDebounced(query, typingPauseMs));
  const results = useInfiniteQuery(
    SearchService.method.searchEvents,
    { ...request, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (page) => page.nextPageToken || undefined },
  );
  const first = results.data?.pages[0];
  const found = results.data?.pages.flatMap((page) => page.results) ?? [];
  const facetCount = new Map(first?.categoryFacets.map((facet) => [facet.category.toUpperCase(), facet.count]));
  // The price filter needs a currency; the one results are priced in unless the URL names another.
  const currency = value("currency") || found[0]?.lowestPrice?.currencyCode || "";

  const setFilter = (name: string, next: string, also: Record<string, string> = {}) => {
    const params = new URLSearchParams(query);
    for (const [key, given] of Object.entries({ [name]: next, ...also })) {
      if (given === "" || given === "0") params.delete(key);
      else params.set(key, given);
    }
    navigate(`/?${params}`, { replace: true });
  };
  const setPrice = (name: "min" | "max", next: string) => setFilter(name, next, currency ? { currency } : {});

  return (
    <div className="flex flex-col gap-6">
      <section className="hero rounded-box bg-primary text-primary-content py-8">
        <div className="hero-content text-center">
          <div>
            <h1 className="text-3xl font-bold">{t("home.title")}</h1>
            <p className="mt-2">{t("home.subtitle")}</p>
          </div>
        </div>
      </section>
      <search>
        <form
          className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
          aria-label={t("home.filters")}
          onSubmit={(event) => event.preventDefault()}
        >
          <SuggestingField
            label="home.query"
            value={value("q")}
            placeholder={t("home.queryPlaceholder")}
            onChange={(next) => setFilter("q", next)}
          />
          <SelectField
            label="home.kind"
            value={request.kind ?? 0}
            disabled={request.kind === ResultKind.TRIP && Boolean(request.originCity || request.destinationCity)}
            onChange={(next) => setFilter("kind", next)}
            options={[
              [ResultKind.UNSPECIFIED, t("home.kindAll")],
              [ResultKind.EVENT, t("home.kindEvents")],
              [ResultKind.TRIP, t("home.kindTrips")],
            ]}
          />
          <SelectField
            label="home.category"
            value={value("category")}
            onChange={(next) => setFilter("category", next)}
            options={[
              ["", t("home.categoryAll")],
              ...categoryKeys.map(([category, key]) => {
                const name = Category[category];
                const count = facetCount.get(name);
                return [name, count === undefined ? t(key) : t("home.facet", { name: t(key), count })] as const;
              }),
            ]}
          />
          <SuggestingField
            label="home.city"
            types={[SuggestionType.CITY]}
            value={value("city")}
            placeholder={t("home.cityPlaceholder")}
            onChange={(next) => setFilter("city", next)}
          />
          <SuggestingField
            label="home.origin"
            types={[SuggestionType.CITY]}
            value={value("origin")}
            placeholder="Dhaka"
            onChange={(next) => setFilter("origin", next)}
          />
          <SuggestingField
            label="home.destination"
            types={[SuggestionType.CITY]}
            value={value("destination")}
            placeholder="Kolkata"
            onChange={(next) => setFilter("destination", next)}
          />
          <TextField label="home.from" type="date" value={value("from")} onChange={(next) => setFilter("from", next)} />
          <TextField label="home.to" type="date" value={value("to")} onChange={(next) => setFilter("to", next)} />
          <TextField
            label="home.minPrice"
            inputMode="decimal"
            value={value("min")}
            placeholder={currency}
            onChange={(next) => setPrice("min", next)}
          />
          <TextField
            label="home.maxPrice"
            inputMode="decimal"
            value={value("max")}
            placeholder={currency}
            onChange={(next) => setPrice("max", next)}
          />
          <SelectField
            label="home.sort"
            value={request.orderBy ?? SearchOrder.RELEVANCE}
            onChange={(next) => setFilter("sort", next)}
            options={sortKeys.map(([order, key]) => [order, t(key)])}
          />
          <label className="flex cursor-pointer items-center gap-2 self-end pb-3">
            <input
              type="checkbox"
              className="checkbox"
              checked={value("available") === "1"}
              onChange={(event) => setFilter("available", event.target.checked ? "1" : "")}
            />
            <span>{t("home.onlyAvailable")}</span>
          </label>
        </form>
      </search>
      {results.error ? <ErrorAlert error={results.error} /> : null}
      {results.isPending ? <Loading /> : null}
      {first ? (
        <p aria-live="polite" className="opacity-80">
          {first.totalSize === 0 ? t("home.nothing") : t("home.found", { count: first.totalSize })}
        </p>
      ) : null}
      <ul className="grid grid-cols-1 gap-4 md:grid-cols-2 lg:grid-cols-3" aria-label={t("home.results")}>
        {found.map((result) => (
          <li key={`${result.id}/${result.ride?.boardingStopId ?? ""}`}>
            <ResultCard result={result} locale={locale} />
          </li>
        ))}
      </ul>
      {results.hasNextPage ? (
        <button
          type="button"
          className="btn btn-outline self-center"
          disabled={results.isFetchingNextPage}
          onClick={() => void results.fetchNextPage()}
        >
          {t("home.more")}
        </button>
      ) : null}
    </div>
  );
}

const sortKeys: ReadonlyArray<readonly [SearchOrder, MessageKey]> = [
  [SearchOrder.RELEVANCE, "home.sortRelevance"],
  [SearchOrder.START_TIME, "home.sortStart"],
  [SearchOrder.PRICE_ASCENDING, "home.sortPriceUp"],
  [SearchOrder.PRICE_DESCENDING, "home.sortPriceDown"],
];

const availabilityKeys: Readonly<Record<AvailabilityLevel, MessageKey | undefined>> = {
  [AvailabilityLevel.UNSPECIFIED]: undefined,
  [AvailabilityLevel.AVAILABLE]: "home.available",
  [AvailabilityLevel.LIMITED]: "home.limited",
  [AvailabilityLevel.SOLD_OUT]: "home.soldOut",
};

/** A text field offering Suggest's completions of what is typed, as the browser's own list under it. */
function SuggestingField({
  label,
  value,
  placeholder,
  onChange,
  types = [],
}: {
  label: MessageKey;
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
  types?: SuggestionType[];
}) {
  const listId = useId();
  const prefix = useDebounced(value.trim(), typingPauseMs);
  const suggestions = useQuery(
    SearchService.method.suggest,
    { prefix, types, maxSuggestions: 8 },
    // A suggestion is never worth an error on the page: a failed one just offers nothing.
    { enabled: prefix.length > 0, retry: false, throwOnError: false },
  );
  return (
    <>
      <TextField
        label={label}
        type="search"
        list={listId}
        value={value}
        placeholder={placeholder}
        onChange={onChange}
      />
      <datalist id={listId}>
        {suggestions.data?.suggestions.map((suggestion) => (
          <option key={`${suggestion.type}/${suggestion.text}/${suggestion.city}`} value={suggestion.text}>
            {suggestion.city && suggestion.city !== suggestion.text ? suggestion.city : undefined}
          </option>
        ))}
      </datalist>
    </>
  );
}

/** One result: a ride of a trip links to the trip's page with that ride picked, so its seats show. */
function ResultCard({ result, locale }: { result: SearchResult; locale: string }) {
  const { t } = useI18n();
  const ride = result.ride;
  const href = ride
    ? `/events/${result.id}?${new URLSearchParams({ board: ride.boardingStopId, alight: ride.alightingStopId })}`
    : `/events/${result.id}`;
  const boarding = result.stops.find((stop) => stop.stopId === ride?.boardingStopId);
  const alighting = result.stops.find((stop) => stop.stopId === ride?.alightingStopId);
  const place =
    result.kind === ResultKind.TRIP
      ? boarding && alighting
        ? t("home.ride", { from: boarding.name, to: alighting.name })
        : result.stops.map((stop) => stop.city || stop.name).join(" → ")
      : [result.venueName, result.city].filter(Boolean).join(", ");
  const availability = availabilityKeys[result.availability];
  return (
    <article className="card bg-base-100 shadow-sm h-full">
      <div className="card-body">
        <h2 className="card-title">
          <Link href={href} className="link link-hover">
            {result.title}
          </Link>
        </h2>
        <p>{formatDateTime(result.startTime?.seconds, locale)}</p>
        <p className="opacity-80">{place}</p>
        <div className="flex flex-wrap items-center gap-2">
          {result.lowestPrice ? (
            <span className="font-semibold">
              {t("home.fromPrice", { price: formatMoney(result.lowestPrice, locale) })}
            </span>
          ) : null}
          {availability ? (
            <span
              className={`badge ${result.availability === AvailabilityLevel.SOLD_OUT ? "badge-error" : result.availability === AvailabilityLevel.LIMITED ? "badge-warning" : "badge-success"}`}
            >
              {t(availability)}
            </span>
          ) : null}
        </div>
      </div>
    </article>
  );
}
