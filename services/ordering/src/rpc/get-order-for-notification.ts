import { defineRpc, notFound } from "@marquee/mesh";
import { OrderingInternalService } from "@marquee/proto/marquee/ordering/v1/ordering_internal_pb.js";
import type { Ordering } from "../ordering.js";
import { toOrderMessage } from "../store/messages.js";
import { readOrderRecord } from "../store/orders.js";

/**
 * OrderingInternalService.GetOrderForNotification: any order with its QR payloads, for the notification
 * service to mail a buyer their tickets. Service tokens only (the access option), so the buyer's view
 * without the buyer's token.
 */
export const getOrderForNotification = defineRpc(OrderingInternalService.method.getOrderForNotification, {
  rules(request, check) {
    check.id("order_id", request.orderId);
  },
  handler(ordering: Ordering) {
    return async (request) => {
      const record = await readOrderRecord(ordering.orm, request.orderId);
      if (record === null) throw notFound("order", request.orderId);
      return { order: toOrderMessage(record, { withQrPayloads: true }) };
    };
  },
});
