import { useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { type Order, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Loading } from "../components/loading.js";
import { QrCode } from "../components/qr-code.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { formatDateTime, formatMoney } from "../lib/format.js";
import { Link } from "../router.js";

export const orderStateKeys: Record<OrderState, MessageKey> = {
  [OrderState.UNSPECIFIED]: "order.state.pending",
  [OrderState.PENDING]: "order.state.pending",
  [OrderState.CONFIRMED]: "order.state.confirmed",
  [OrderState.FAILED]: "order.state.failed",
  [OrderState.EXPIRED]: "order.state.expired",
  [OrderState.CANCELLED]: "order.state.cancelled",
  [OrderState.REFUNDED]: "order.state.refunded",
  [OrderState.PARTIALLY_REFUNDED]: "order.state.partiallyRefunded",
};

/** An order and its tickets, each with its QR code; what the buyer shows at the door or the coach. */
export function OrderPage({ orderId }: { orderId: string }) {
  const order = useQuery(OrderingService.method.getOrder, { orderId });
  if (order.error) return <ErrorAlert error={order.error} />;
  if (!order.data?.order) return <Loading />;
  return <OrderDetails order={order.data.order} />;
}

function OrderDetails({ order }: { order: Order }) {
  const { t, locale } = useI18n();
  const event = useQuery(CatalogService.method.getEvent, { eventId: order.eventId });
  const info = event.data?.event;
  const stopName = (id: string) => info?.stops.find((stop) => stop.id === id)?.name ?? id;
  return (
    <div className="flex flex-col gap-4">
      <header>
        {order.state === OrderState.CONFIRMED ? (
          <div role="status" className="alert alert-success mb-4">
            {t("order.confirmed")}
          </div>
        ) : null}
        <h1 className="text-2xl font-bold">{info?.title ?? ""}</h1>
        <p>{formatDateTime(info?.startTime?.seconds, locale)}</p>
        {order.ride ? (
          <p>
            {t("order.ride", { from: stopName(order.ride.boardingStopId), to: stopName(order.ride.alightingStopId) })}
          </p>
        ) : null}
        <p className="opacity-80">
          {t("order.number", { id: order.id })} · {t(orderStateKeys[order.state])} · {formatMoney(order.total, locale)}
          {order.cardLast4 ? ` · ${order.cardBrand} •••• ${order.cardLast4}` : ""}
        </p>
      </header>
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label={t("order.tickets")}>
        {order.tickets.map((ticket) => (
          <li key={ticket.id} className="card bg-base-100 shadow-sm" data-testid="ticket">
            <div className="card-body items-center text-center">
              <h2 className="card-title">
                {ticket.sectionName} {ticket.seatLabel}
              </h2>
              <p>{ticket.priceTierName}</p>
              {ticket.state === TicketState.ISSUED ? (
                <QrCode
                  payload={ticket.qrPayload}
                  label={t("order.qr", { seat: `${ticket.sectionName} ${ticket.seatLabel}` })}
                />
              ) : (
                <p className="badge badge-neutral">{t("order.ticketVoid")}</p>
              )}
            </div>
          </li>
        ))}
      </ul>
      <Link href="/tickets" className="link">
        {t("order.allTickets")}
      </Link>
    </div>
  );
}
