import {
  Code,
  ConnectError,
  callerIdOf,
  decodePageToken,
  defineRpc,
  encodePageToken,
  hasRole,
  invalidArgument,
  isTimeAndId,
  outsideCall,
  type Principal,
  pageSizeOf,
} from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { managedEventOf } from "../checkout/managed-event.js";
import type { Ordering } from "../ordering.js";
import { toOrderMessage } from "../store/messages.js";
import { listOrders as listOrderPage, type OrderFilter } from "../store/order-lists.js";
import { checkStates, pageSizes, stateNamesOf } from "./list-rules.js";
import { checkEmail } from "./request-rules.js";

/**
 * OrderingService.ListOrders: orders for managing bookings, newest first, tickets without QR payloads. An
 * organizer sees the orders of its own events (orders keep their event's organizer, so this needs no call
 * to catalog), an admin every order. A named event is looked up in catalog, so that one unknown or
 * another organizer's is refused rather than answered with an empty list.
 */
export const listOrders = defineRpc(OrderingService.method.listOrders, {
  rules(request, check) {
    check.that("page_size", request.pageSize >= 0, "must not be negative");
    checkStates(check, request.states);
    if (request.eventId !== "") check.uuid("event_id", request.eventId);
    if (request.buyerEmail !== "") checkEmail(check, "buyer_email", request.buyerEmail);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const isAdmin = call.principal !== undefined && hasRole(call.principal, "admin");
      const filter: OrderFilter = {
        ...(isAdmin ? {} : { organizerId: callerIdOf(call) }),
        ...(request.eventId !== "" ? { eventId: request.eventId } : {}),
        states: stateNamesOf(request.states),
        ...(request.buyerEmail !== "" ? { buyerEmail: request.buyerEmail } : {}),
        ...(request.userId !== "" ? { userId: request.userId } : {}),
      };
      if (filter.eventId !== undefined) await checkManagedEvent(ordering, filter.eventId, call.principal);
      // An organizer's filter names it, so a token of another caller's list is refused as other filters.
      const after = decodePageToken("orders", filter, request.pageToken, isTimeAndId);
      const limit = pageSizeOf(request.pageSize, pageSizes);
      const { records, last } = await listOrderPage(ordering.orm, filter, after, limit);
      return {
        orders: records.map((record) => toOrderMessage(record, { withQrPayloads: false })),
        nextPageToken: last ? encodePageToken("orders", filter, last) : "",
      };
    };
  },
});

/** The proto's answer to an event the caller may not list (unknown, or another organizer's): a bad filter. */
async function checkManagedEvent(ordering: Ordering, eventId: string, principal: Principal | undefined) {
  try {
    await outsideCall(() => managedEventOf(ordering, eventId, principal));
  } catch (thrown) {
    if (ConnectError.from(thrown).code !== Code.NotFound) throw thrown;
    throw invalidArgument("event_id", "is not an event you manage");
  }
}
