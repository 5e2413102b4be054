import { defineRpc, pageSizeOf } from "@marquee/mesh";
import { SearchService, SuggestionType } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { keyOf } from "../domain/text.js";
import type { Search } from "../search.js";
import { type Candidate, findCandidates } from "../store/suggestions.js";

/** Suggestions per response: default 10, at most 20, as the proto says. */
const suggestionCounts = { default: 10, max: 20 } as const;
const maxPrefixLength = 100;

const typeOf: Record<Candidate["type"], SuggestionType> = {
  TITLE: SuggestionType.TITLE,
  CITY: SuggestionType.CITY,
  VENUE: SuggestionType.VENUE,
};

/**
 * SearchService.Suggest: titles, cities and venues of upcoming listings with a word starting with the
 * prefix (accents and case ignored). Most relevant first: a text the prefix starts before one where a later
 * word matches, then what names more upcoming results, then alphabetical.
 */
export const suggest = defineRpc(SearchService.method.suggest, {
  rules(request, check) {
    if (check.required("prefix", request.prefix)) check.maxLength("prefix", request.prefix, maxPrefixLength);
    check.that("max_suggestions", request.maxSuggestions >= 0, "must not be negative");
    check.each("types", request.types, (type, path) => {
      check.that(path, type !== SuggestionType.UNSPECIFIED, "must not be SUGGESTION_TYPE_UNSPECIFIED");
    });
  },
  handler(search: Search) {
    return async (request) => {
      const prefixKey = keyOf(request.prefix);
      // A prefix of punctuation only has no word to start: nothing matches it.
      if (prefixKey === "") return { suggestions: [] };
      const limit = pageSizeOf(request.maxSuggestions, suggestionCounts);
      const asked = request.types.length === 0 ? Object.keys(typeOf) : request.types.map((t) => SuggestionType[t]);
      const types = new Set(asked as Candidate["type"][]);
      const candidates = await findCandidates(search.orm.em.fork(), prefixKey, types, limit);
      const seen = new Set<string>();
      const suggestions = candidates
        .sort((a, b) => Number(b.isLeading) - Number(a.isLeading) || b.count - a.count || a.text.localeCompare(b.text))
        .filter((candidate) => {
          const key = JSON.stringify([candidate.type, keyOf(candidate.text), keyOf(candidate.city)]);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        })
        .slice(0, limit);
      return {
        suggestions: suggestions.map((candidate) => ({
          text: candidate.text,
          type: typeOf[candidate.type],
          eventId: candidate.eventId,
          city: candidate.city,
        })),
      };
    };
  },
});
