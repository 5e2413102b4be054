import { decodePageToken, defineRpc, encodePageToken, isTimeAndId, pageSizeOf } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { Catalog } from "../catalog.js";
import { ownerFilterOf } from "../domain/access.js";
import { listOwnedEvents, type StateName, toEventMessage } from "../store/events.js";

const pageSize = { default: 50, max: 200 } as const;

/** CatalogService.ListMyEvents: the caller's events in every state (an admin's: everyone's), newest first. */
export const listMyEvents = defineRpc(CatalogService.method.listMyEvents, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
    check.that("state", EventState[request.state] !== undefined, "is not an EventState");
  },
  handler({ orm }: Catalog) {
    return async (request, call) => {
      const state = request.state === EventState.UNSPECIFIED ? undefined : (EventState[request.state] as StateName);
      const after = decodePageToken("my-events", { state }, request.pageToken, isTimeAndId);
      const limit = pageSizeOf(request.pageSize, pageSize);
      const rows = await listOwnedEvents(orm.em.fork(), ownerFilterOf(call.principal), state, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        events: page.map(toEventMessage),
        nextPageToken:
          rows.length > limit && last
            ? encodePageToken("my-events", { state }, { t: last.createTime.toISOString(), id: last.id })
            : "",
      };
    };
  },
});
