import type { MessageInitShape } from "@bufbuild/protobuf";
import { badRequest, defineRpc, outsideCall } from "@marquee/mesh";
import type { VerifyTicketResponseSchema } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { TicketValidity } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { managedEventOf } from "../checkout/managed-event.js";
import { TicketEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { toTicketMessage } from "../store/messages.js";

type Answer = MessageInitShape<typeof VerifyTicketResponseSchema>;

/**
 * OrderingService.VerifyTicket, the door's question. The signature is checked first, so a forged or
 * damaged code costs no database read; a genuine one is judged against its row (refunded, used, another
 * event or boarding stop). A check-in is one conditional update from ISSUED to USED, so of many scanners
 * scanning one ticket at once exactly one admits; a scanner retrying with its scan_id gets its first
 * answer back.
 */
export const verifyTicket = defineRpc(OrderingService.method.verifyTicket, {
  rules(request, check) {
    if (check.required("qr_payload", request.qrPayload)) check.maxLength("qr_payload", request.qrPayload, 4096);
    check.id("event_id", request.eventId);
    check.maxLength("boarding_stop_id", request.boardingStopId, 200);
    check.maxLength("scan_id", request.scanId, 128);
  },
  handler(ordering: Ordering) {
    return async (request, call): Promise<Answer> => {
      const event = await outsideCall(() =>
        managedEventOf(ordering, request.eventId, call.principal, { partners: true }),
      );
      if (request.boardingStopId !== "" && !event.stops.some((stop) => stop.id === request.boardingStopId)) {
        throw badRequest([{ field: "boarding_stop_id", description: "is not a stop of the event" }]);
      }
      const claims = ordering.signer.verify(request.qrPayload);
      const em = ordering.orm.em.fork();
      const ticket = claims === undefined ? null : await em.findOne(TicketEntity, { id: claims.t });
      if (ticket === null) return { validity: TicketValidity.INVALID_SIGNATURE, checkedIn: false };
      if (ticket.eventId !== request.eventId) return { validity: TicketValidity.WRONG_EVENT, checkedIn: false };
      const answer = (validity: TicketValidity, checkedIn: boolean, shown = ticket): Answer => ({
        validity,
        checkedIn,
        ticket: toTicketMessage(shown, { withQrPayloads: false }),
      });
      if (ticket.state === "REFUNDED") return answer(TicketValidity.REFUNDED, false);
      if (ticket.state === "CANCELLED") return answer(TicketValidity.CANCELLED, false);
      if (request.boardingStopId !== "" && ticket.ride?.boardingStopId !== request.boardingStopId) {
        return answer(TicketValidity.WRONG_STOP, false);
      }
      if (ticket.state === "USED") {
        const isRetry = request.scanId !== "" && ticket.useScanId === request.scanId;
        return answer(isRetry ? TicketValidity.VALID : TicketValidity.ALREADY_USED, isRetry);
      }
      if (!request.checkIn) return answer(TicketValidity.VALID, false);
      const useTime = new Date();
      const admitted = await em.nativeUpdate(
        TicketEntity,
        { id: ticket.id, state: "ISSUED" },
        { state: "USED", useTime, useScanId: request.scanId === "" ? null : request.scanId },
      );
      const now = (await em.findOne(TicketEntity, { id: ticket.id }, { refresh: true })) ?? ticket;
      if (admitted === 1) {
        call.log.info({ ticketId: ticket.id, eventId: ticket.eventId }, "ticket checked in");
        return answer(TicketValidity.VALID, true, now);
      }
      const isRetry = request.scanId !== "" && now.useScanId === request.scanId;
      return answer(isRetry ? TicketValidity.VALID : TicketValidity.ALREADY_USED, isRetry, now);
    };
  },
});
