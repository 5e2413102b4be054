import { defineRpc } from "@marquee/mesh";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import type { Catalog } from "../catalog.js";
import { toEventMessage } from "../store/events.js";
import { seatMapOf, soldEvent } from "../store/lookups.js";
import { toEventSeat } from "../store/messages.js";
import { seatPage } from "../store/seat-maps.js";

/** Seats per streamed message: about 300 KB, well under the 4 MiB message limit. */
export const streamBatchSize = 5000;

/**
 * CatalogInternalService.StreamEventSeats: every seat of a published event's frozen map in index order,
 * `streamBatchSize` per message. The frozen map never changes, so batches read one after another are one
 * consistent map.
 */
export const streamEventSeats = defineRpc(CatalogInternalService.method.streamEventSeats, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler({ orm }: Catalog) {
    return async function* (request, call) {
      const em = orm.em.fork();
      const row = await soldEvent(em, request.eventId);
      const { priceTiers } = toEventMessage(row);
      const map = seatMapOf(row);
      for (let fromIndex = 0; !call.signal.aborted; ) {
        const seats = await seatPage(em, map, { fromIndex, limit: streamBatchSize });
        if (seats.length === 0) return;
        yield { seats: seats.map((seat) => toEventSeat(seat, priceTiers)) };
        fromIndex = (seats.at(-1)?.index ?? fromIndex) + 1;
      }
    };
  },
});
