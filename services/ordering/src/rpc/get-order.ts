import { defineRpc, notFound } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { viewerOf } from "../domain/access.js";
import type { Ordering } from "../ordering.js";
import { toOrderMessage } from "../store/messages.js";
import { readOrderRecord } from "../store/orders.js";

/** OrderingService.GetOrder: an order for its buyer (with QR payloads), its event's organizer, or an admin. */
export const getOrder = defineRpc(OrderingService.method.getOrder, {
  rules(request, check) {
    check.id("order_id", request.orderId);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const record = await readOrderRecord(ordering.orm, request.orderId);
      const viewer = record === null ? undefined : viewerOf(call.principal, record.order);
      if (record === null || viewer === undefined) throw notFound("order", request.orderId);
      return { order: toOrderMessage(record, viewer) };
    };
  },
});
