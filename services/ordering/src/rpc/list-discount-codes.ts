import { decodePageToken, defineRpc, encodePageToken, isTimeAndId, outsideCall, pageSizeOf } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { managedEventOf } from "../checkout/managed-event.js";
import { DiscountCodeEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { toDiscountCodeMessage } from "../store/messages.js";

/** Page sizes of ListDiscountCodes: default 50, at most 200, as the proto says. */
const pageSizes = { default: 50, max: 200 } as const;

/**
 * OrderingService.ListDiscountCodes: an event's codes with their uses, newest first (create time, then
 * id), for its organizer or an admin. The page token names the event, so it pages that event only.
 */
export const listDiscountCodes = defineRpc(OrderingService.method.listDiscountCodes, {
  rules(request, check) {
    check.id("event_id", request.eventId);
    check.that("page_size", request.pageSize >= 0, "must not be negative");
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const event = await outsideCall(() => managedEventOf(ordering, request.eventId, call.principal));
      const filter = { eventId: event.id };
      const after = decodePageToken("discount_codes", filter, request.pageToken, isTimeAndId);
      const limit = pageSizeOf(request.pageSize, pageSizes);
      const rows = await ordering.orm.em.fork().find(
        DiscountCodeEntity,
        {
          ...filter,
          ...(after !== undefined
            ? {
                $or: [
                  { createTime: { $lt: new Date(after.t) } },
                  { createTime: new Date(after.t), id: { $lt: after.id } },
                ],
              }
            : {}),
        },
        { orderBy: { createTime: "desc", id: "desc" }, limit: limit + 1 },
      );
      const page = rows.slice(0, limit);
      const tail = page.at(-1);
      return {
        discountCodes: page.map(toDiscountCodeMessage),
        nextPageToken:
          rows.length > limit && tail !== undefined
            ? encodePageToken("discount_codes", filter, { t: tail.createTime.toISOString(), id: tail.id })
            : "",
      };
    };
  },
});
