import { callerIdOf, defineRpc, notFound } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { TicketEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { toTicketMessage } from "../store/messages.js";

/** OrderingService.GetTicket: one of the caller's tickets, with its QR payload while it admits. */
export const getTicket = defineRpc(OrderingService.method.getTicket, {
  rules(request, check) {
    check.id("ticket_id", request.ticketId);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const ticket = await ordering.orm.em.fork().findOne(TicketEntity, { id: request.ticketId });
      if (ticket === null || ticket.userId !== callerIdOf(call)) throw notFound("ticket", request.ticketId);
      return { ticket: toTicketMessage(ticket, { withQrPayloads: true }) };
    };
  },
});
