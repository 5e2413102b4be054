import { useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  type Order,
  type Refund as RefundMessage,
  RefundReason,
  RefundState,
} from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { clientOf } from "../../api/transport.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { SelectField, TextField } from "../../components/form-fields.js";
import { Loading } from "../../components/loading.js";
import { type MessageKey, useI18n } from "../../i18n/index.js";
import { formatDateTime, formatMoney } from "../../lib/format.js";
import { Link } from "../../router.js";
import { orderStateKeys } from "../order-page.js";
import { AdminErrorAlert } from "./admin-error.js";
import { AdminLayout } from "./admin-layout.js";

const ordering = clientOf(OrderingService);

const ticketStateKeys: Record<TicketState, MessageKey> = {
  [TicketState.UNSPECIFIED]: "admin.ticket.issued",
  [TicketState.ISSUED]: "admin.ticket.issued",
  [TicketState.USED]: "admin.ticket.used",
  [TicketState.REFUNDED]: "admin.ticket.refunded",
  [TicketState.CANCELLED]: "admin.ticket.cancelled",
};

const refundStateKeys: Record<RefundState, MessageKey> = {
  [RefundState.UNSPECIFIED]: "admin.refund.pending",
  [RefundState.PENDING]: "admin.refund.pending",
  [RefundState.SUCCEEDED]: "admin.refund.succeeded",
  [RefundState.FAILED]: "admin.refund.failed",
};

/** The reasons RefundOrder accepts from an admin (BUYER_CANCELLED and CHECKOUT_FAILED are ordering's own). */
const refundReasonKeys: ReadonlyArray<readonly [RefundReason, MessageKey]> = [
  [RefundReason.REQUESTED_BY_BUYER, "admin.reason.requestedByBuyer"],
  [RefundReason.EVENT_CHANGED, "admin.reason.eventChanged"],
  [RefundReason.EVENT_CANCELLED, "admin.reason.eventCancelled"],
  [RefundReason.DUPLICATE, "admin.reason.duplicate"],
  [RefundReason.FRAUDULENT, "admin.reason.fraudulent"],
  [RefundReason.OTHER, "admin.reason.other"],
];

const reasonKeyOf = (reason: RefundReason): MessageKey =>
  refundReasonKeys.find(([value]) => value === reason)?.[1] ?? "admin.reason.byMarquee";

/** A ticket RefundOrder may still refund: issued or used (ordering.proto: used tickets may be refunded too). */
const isRefundable = (state: TicketState) => state === TicketState.ISSUED || state === TicketState.USED;

/** `/admin/orders/:orderId`: one order, its tickets and refunds, and refunding it whole or in part. */
export function AdminOrderPage({ orderId }: { orderId: string }) {
  const { t } = useI18n();
  const order = useQuery(OrderingService.method.getOrder, { orderId });
  return (
    <AdminLayout title={t("admin.order.title", { id: orderId })}>
      {order.error ? <ErrorAlert error={order.error} /> : null}
      {order.isPending ? <Loading /> : null}
      {order.data?.order ? <OrderDetails order={order.data.order} /> : null}
      <Link href="/admin/orders" className="link">
        {t("admin.order.back")}
      </Link>
    </AdminLayout>
  );
}

function OrderDetails({ order }: { order: Order }) {
  const { t, locale } = useI18n();
  const event = useQuery(CatalogService.method.getEvent, { eventId: order.eventId });
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (ticketId: string) =>
    setChosen((before) => {
      const after = new Set(before);
      if (!after.delete(ticketId)) after.add(ticketId);
      return after;
    });
  const lineOf = (ticketId: string) => order.lineItems.find((line) => line.ticketId === ticketId);
  const refundable = order.tickets.filter((ticket) => isRefundable(ticket.state));
  return (
    <div className="flex flex-col gap-4">
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 wrap-anywhere">
        <dt className="font-semibold">{t("admin.order.event")}</dt>
        <dd>
          {event.data?.event?.title ?? order.eventId} · {formatDateTime(event.data?.event?.startTime?.seconds, locale)}
        </dd>
        <dt className="font-semibold">{t("admin.order.buyer")}</dt>
        <dd>
          {order.buyer?.name} · {order.buyer?.email}
        </dd>
        <dt className="font-semibold">{t("admin.order.state")}</dt>
        <dd data-testid="admin-order-state">{t(orderStateKeys[order.state])}</dd>
        <dt className="font-semibold">{t("admin.order.total")}</dt>
        <dd>
          {formatMoney(order.total, locale)}
          {order.cardLast4 ? ` · ${order.cardBrand} •••• ${order.cardLast4}` : ""}
        </dd>
        <dt className="font-semibold">{t("admin.order.refunded")}</dt>
        <dd data-testid="admin-order-refunded">{formatMoney(order.refundedAmount, locale)}</dd>
        <dt className="font-semibold">{t("admin.order.placed")}</dt>
        <dd>{formatDateTime(order.createTime?.seconds, locale)}</dd>
      </dl>

      <div className="overflow-x-auto">
        <table className="table bg-base-100" aria-label={t("admin.order.tickets")}>
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">{t("admin.order.choose")}</span>
              </th>
              <th scope="col">{t("admin.order.seat")}</th>
              <th scope="col">{t("admin.order.tier")}</th>
              <th scope="col">{t("admin.order.attendee")}</th>
              <th scope="col">{t("admin.order.ticketState")}</th>
              <th scope="col" className="text-right">
                {t("admin.order.price")}
              </th>
            </tr>
          </thead>
          <tbody>
            {order.tickets.map((ticket) => {
              const seat = `${ticket.sectionName} ${ticket.seatLabel}`;
              const line = lineOf(ticket.id);
              return (
                <tr key={ticket.id} data-testid="admin-ticket-row">
                  <td>
                    <input
                      type="checkbox"
                      className="checkbox"
                      aria-label={t("admin.order.chooseTicket", { seat })}
                      checked={chosen.has(ticket.id)}
                      disabled={!isRefundable(ticket.state)}
                      onChange={() => toggle(ticket.id)}
                    />
                  </td>
                  <td className="whitespace-nowrap">{seat}</td>
                  <td>{ticket.priceTierName}</td>
                  <td>{ticket.attendeeName}</td>
                  <td>{t(ticketStateKeys[ticket.state])}</td>
                  <td className="text-right">
                    {formatMoney(line?.price, locale)}
                    {line?.fee && line.fee.amountMinor > 0n ? ` + ${formatMoney(line.fee, locale)}` : ""}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      {refundable.length > 0 ? (
        <RefundForm
          order={order}
          ticketIds={[...chosen]}
          remaining={refundable.length}
          onDone={() => setChosen(new Set())}
        />
      ) : null}
      {order.refunds.length > 0 ? <Refunds refunds={order.refunds} /> : null}
    </div>
  );
}

/**
 * Refunds the chosen tickets, or the whole order once the admin confirms it. One idempotency key per
 * distinct request: a second click on the same request (a lost answer, a double click) sends the same key
 * and gets the first refund back, while changing the tickets, reason or note makes a new request, which
 * the same key would be refused for.
 */
function RefundForm(props: { order: Order; ticketIds: readonly string[]; remaining: number; onDone: () => void }) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState(RefundReason.REQUESTED_BY_BUYER);
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const [isBusy, setBusy] = useState(false);
  const [done, setDone] = useState<RefundMessage | undefined>(undefined);
  const [isConfirmingWhole, setConfirmingWhole] = useState(false);
  const attempt = useRef<{ fingerprint: string; key: string } | undefined>(undefined);

  const refund = async (ticketIds: readonly string[]) => {
    const fingerprint = JSON.stringify([[...ticketIds].sort(), reason, note]);
    if (attempt.current?.fingerprint !== fingerprint) attempt.current = { fingerprint, key: crypto.randomUUID() };
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    setConfirmingWhole(false);
    try {
      const answer = await ordering.refundOrder({
        orderId: props.order.id,
        ticketIds: [...ticketIds],
        reason,
        note,
        idempotencyKey: attempt.current.key,
      });
      attempt.current = undefined;
      setDone(answer.refund);
      props.onDone();
      await queryClient.invalidateQueries();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void refund(props.ticketIds);
  };
  return (
    <form className="card bg-base-100 shadow-sm" onSubmit={submit} aria-label={t("admin.refund.title")}>
      <div className="card-body gap-3">
        <h2 className="card-title">{t("admin.refund.title")}</h2>
        <p className="text-sm">{t("admin.refund.help")}</p>
        {error ? <AdminErrorAlert error={error} /> : null}
        {done ? (
          <p role="status" className="alert alert-success" data-testid="refund-done">
            {t("admin.refund.done", {
              amount: formatMoney(done.amount, locale),
              state: t(refundStateKeys[done.state]),
            })}
          </p>
        ) : null}
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <SelectField
            label="admin.refund.reason"
            value={reason}
            onChange={(value) => setReason(Number(value) as RefundReason)}
            options={refundReasonKeys.map(([value, key]) => [value, t(key)] as const)}
          />
          <TextField
            label={reason === RefundReason.OTHER ? "admin.refund.noteRequired" : "admin.refund.note"}
            value={note}
            onChange={setNote}
            maxLength={500}
            required={reason === RefundReason.OTHER}
          />
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="submit" className="btn btn-primary" disabled={isBusy || props.ticketIds.length === 0}>
            {t("admin.refund.chosen", { count: props.ticketIds.length })}
          </button>
          <button
            type="button"
            className="btn btn-outline btn-error"
            disabled={isBusy || isConfirmingWhole}
            onClick={() => setConfirmingWhole(true)}
          >
            {t("admin.refund.whole")}
          </button>
        </div>
        {isConfirmingWhole ? (
          <div role="alertdialog" aria-labelledby="confirm-whole-refund" className="alert flex flex-wrap">
            <p id="confirm-whole-refund">{t("admin.refund.confirmWhole", { count: props.remaining })}</p>
            <button type="button" className="btn btn-error btn-sm" disabled={isBusy} onClick={() => void refund([])}>
              {t("admin.refund.confirm")}
            </button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirmingWhole(false)}>
              {t("admin.refund.keep")}
            </button>
          </div>
        ) : null}
      </div>
    </form>
  );
}

function Refunds({ refunds }: { refunds: readonly RefundMessage[] }) {
  const { t, locale } = useI18n();
  return (
    <div className="overflow-x-auto">
      <table className="table bg-base-100" aria-label={t("admin.refunds.title")}>
        <caption className="text-left font-semibold">{t("admin.refunds.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("admin.refunds.when")}</th>
            <th scope="col">{t("admin.refunds.tickets")}</th>
            <th scope="col">{t("admin.refunds.reason")}</th>
            <th scope="col">{t("admin.refunds.state")}</th>
            <th scope="col" className="text-right">
              {t("admin.refunds.amount")}
            </th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((refund) => (
            <tr key={refund.id} data-testid="admin-refund-row">
              <td>{formatDateTime(refund.createTime?.seconds, locale)}</td>
              <td>{refund.ticketIds.length}</td>
              <td>
                {t(reasonKeyOf(refund.reason))}
                {refund.note ? ` · ${refund.note}` : ""}
              </td>
              <td>{t(refundStateKeys[refund.state])}</td>
              <td className="text-right">{formatMoney(refund.amount, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
