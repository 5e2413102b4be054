import { callerIdOf, decodePageToken, defineRpc, encodePageToken, isTimeAndId, pageSizeOf } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import type { Ordering } from "../ordering.js";
import { toOrderMessage } from "../store/messages.js";
import { listOrders } from "../store/order-lists.js";
import { checkStates, pageSizes, stateNamesOf } from "./list-rules.js";

/** OrderingService.ListMyOrders: the caller's booking history, newest first, with tickets and QR payloads. */
export const listMyOrders = defineRpc(OrderingService.method.listMyOrders, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
    checkStates(check, request.states);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const states = stateNamesOf(request.states);
      const after = decodePageToken("my-orders", { states }, request.pageToken, isTimeAndId);
      const limit = pageSizeOf(request.pageSize, pageSizes);
      const { records, last } = await listOrders(ordering.orm, { userId: callerIdOf(call), states }, after, limit);
      return {
        orders: records.map((record) => toOrderMessage(record, { withQrPayloads: true })),
        nextPageToken: last ? encodePageToken("my-orders", { states }, last) : "",
      };
    };
  },
});
