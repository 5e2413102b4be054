import { defineRpc, outsideCall } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { managedEventOf } from "../checkout/managed-event.js";
import { DiscountCodeEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { toDiscountCodeMessage } from "../store/messages.js";

/** OrderingService.ListDiscountCodes: an event's codes with their uses, for its organizer or an admin. */
export const listDiscountCodes = defineRpc(OrderingService.method.listDiscountCodes, {
  rules(request, check) {
    check.id("event_id", request.eventId);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const event = await outsideCall(() => managedEventOf(ordering, request.eventId, call.principal));
      const rows = await ordering.orm.em
        .fork()
        .find(DiscountCodeEntity, { eventId: event.id }, { orderBy: { createTime: "desc", id: "desc" } });
      return { discountCodes: rows.map(toDiscountCodeMessage) };
    };
  },
});
