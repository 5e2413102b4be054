import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ResultKind, type SearchEventsRequest, SearchOrder } from "@marquee/proto/marquee/search/v1/search_pb.js";
import type { EntityManager } from "@mikro-orm/postgresql";
import { keyOf, wordsOf } from "../domain/text.js";
import { type SearchOrder as Order, type SearchFilters, similarWords } from "./search-query.js";

/** Lexicon words tried per query word as what it may be a misspelling of. */
const similarPerWord = 3;

/** The read model's order for each SearchOrder. */
export const orders: Record<SearchOrder, Order> = {
  [SearchOrder.UNSPECIFIED]: "relevance",
  [SearchOrder.RELEVANCE]: "relevance",
  [SearchOrder.START_TIME]: "start",
  [SearchOrder.PRICE_ASCENDING]: "priceAscending",
  [SearchOrder.PRICE_DESCENDING]: "priceDescending",
};

/**
 * The filters of a (validated) SearchEventsRequest, from `startTime` on. The text becomes a tsquery: each
 * word OR-ed with the lexicon words it may be a misspelling of (`similarWords`), and the last word also as
 * a prefix, so "Coldpaly" finds Coldplay and "Kolk" Kolkata; the words AND-ed.
 */
export async function filtersOf(
  em: EntityManager,
  request: SearchEventsRequest,
  startTime: Date,
): Promise<SearchFilters> {
  const words = wordsOf(request.query);
  const similar = words.length > 0 ? await similarWords(em, words, similarPerWord) : new Map<string, string[]>();
  const textQuery =
    words.length === 0
      ? undefined
      : words
          .map((word, index) => {
            const alternatives = [...new Set([word, ...(similar.get(word) ?? [])])].map((w) => `'${w}'`);
            if (index === words.length - 1) alternatives.push(`'${word}':*`);
            return `(${alternatives.join(" | ")})`;
          })
          .join(" & ");
  const isRoute = request.originCity.trim() !== "" || request.destinationCity.trim() !== "";
  const kind =
    request.kind === ResultKind.TRIP || isRoute ? "TRIP" : request.kind === ResultKind.EVENT ? "EVENT" : undefined;
  const price = request.minPrice ?? request.maxPrice;
  return {
    ...(textQuery ? { textQuery } : {}),
    ...(kind ? { kind } : {}),
    ...(request.category.trim() !== "" ? { category: request.category.trim().toLowerCase() } : {}),
    ...(request.city.trim() !== "" ? { cityKey: keyOf(request.city) } : {}),
    ...(request.originCity.trim() !== "" ? { originKey: keyOf(request.originCity) } : {}),
    ...(request.destinationCity.trim() !== "" ? { destinationKey: keyOf(request.destinationCity) } : {}),
    startTime,
    ...(request.endTime ? { endTime: timestampDate(request.endTime) } : {}),
    ...(price
      ? {
          price: {
            currencyCode: price.currencyCode,
            ...(request.minPrice ? { minMinor: request.minPrice.amountMinor } : {}),
            ...(request.maxPrice ? { maxMinor: request.maxPrice.amountMinor } : {}),
          },
        }
      : {}),
    onlyAvailable: request.onlyAvailable,
  };
}
