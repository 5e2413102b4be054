import { Code, ConnectError } from "@connectrpc/connect";
import { useQuery } from "@connectrpc/connect-query";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type Order, OrderFailureReason, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { type FormEvent, useState } from "react";
import { CardRefused, tokenizeCard } from "../api/card-tokens.js";
import { toLocalTime } from "../api/server-clock.js";
import { currentSession } from "../api/session.js";
import { clientOf } from "../api/transport.js";
import { Countdown } from "../components/countdown.js";
import { ErrorAlert } from "../components/error-alert.js";
import { TextField } from "../components/form-fields.js";
import { Loading } from "../components/loading.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { formatMoney, millisOf } from "../lib/format.js";
import { rememberHold } from "../lib/hold-store.js";
import { navigate } from "../router.js";

const ordering = clientOf(OrderingService);

/** How long the page follows a PENDING order before telling the buyer it is still being processed. */
const settleTimeoutMs = 90_000;

const failureKeys: Partial<Record<OrderFailureReason, MessageKey>> = {
  [OrderFailureReason.PAYMENT_DECLINED]: "checkout.declined",
  [OrderFailureReason.PAYMENT_FAILED]: "checkout.paymentFailed",
  [OrderFailureReason.HOLD_EXPIRED]: "error.holdExpired",
  [OrderFailureReason.SEATS_UNAVAILABLE]: "error.seatsTaken",
  [OrderFailureReason.EVENT_UNAVAILABLE]: "checkout.eventUnavailable",
};

/**
 * Creates the order for `idempotencyKey` and follows it until it settles. A call that fails UNAVAILABLE
 * is sent again with the same key, so a buyer whose connection dropped mid-payment is charged once;
 * a PENDING answer is read again, as the saga may take a few seconds with a slow gateway.
 */
async function placeOrder(request: Parameters<typeof ordering.createOrder>[0]): Promise<Order> {
  let order: Order | undefined;
  for (let attempt = 0; order === undefined; attempt++) {
    try {
      order = (await ordering.createOrder(request)).order;
    } catch (error) {
      if (ConnectError.from(error).code !== Code.Unavailable || attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
  const deadline = Date.now() + settleTimeoutMs;
  while (order.state === OrderState.PENDING && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 700));
    order = (await ordering.getOrder({ orderId: order.id })).order ?? order;
  }
  return order;
}

/**
 * Checkout of a hold: the price from the server (QuoteOrder; the page never computes it), the buyer's
 * contact, and the card, which goes to the payment gateway's tokenization straight from the browser.
 * A declined card leaves the hold in place and the buyer tries another; the countdown keeps running.
 */
export function CheckoutPage({ holdId }: { holdId: string }) {
  const { t, locale } = useI18n();
  const session = currentSession();
  const hold = useQuery(InventoryService.method.getHold, { holdId });
  const quote = useQuery(OrderingService.method.quoteOrder, { holdId });
  const [name, setName] = useState(session?.displayName ?? "");
  const [email, setEmail] = useState(session?.email ?? "");
  const [card, setCard] = useState({ number: "", expiry: "", cvc: "" });
  const [message, setMessage] = useState<{ key: MessageKey; detail?: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [isPaying, setPaying] = useState(false);
  const [isExpired, setExpired] = useState(false);

  const pay = async (event: FormEvent) => {
    event.preventDefault();
    const total = quote.data?.total;
    const eventId = hold.data?.hold?.eventId ?? "";
    setMessage(undefined);
    setError(undefined);
    setPaying(true);
    try {
      const [month, year] = card.expiry.split("/").map((part) => Number(part.trim()));
      const paymentMethodToken = await tokenizeCard({
        number: card.number,
        expMonth: month ?? 0,
        expYear: year !== undefined && year < 100 ? 2000 + year : (year ?? 0),
        cvc: card.cvc,
      });
      const order = await placeOrder({
        holdId,
        idempotencyKey: crypto.randomUUID(),
        paymentMethodToken,
        buyer: { name, email },
        ...(total ? { expectedTotal: total } : {}),
      });
      if (order.state === OrderState.CONFIRMED) {
        rememberHold(eventId, undefined);
        navigate(`/orders/${order.id}`);
        return;
      }
      if (order.state === OrderState.PENDING) setMessage({ key: "checkout.stillPending" });
      else
        setMessage({ key: failureKeys[order.failureReason] ?? "checkout.paymentFailed", detail: order.failureMessage });
      setCard((before) => ({ ...before, number: "", cvc: "" }));
    } catch (caught) {
      if (caught instanceof CardRefused) setMessage({ key: "checkout.cardInvalid", detail: caught.message });
      else setError(caught);
    } finally {
      setPaying(false);
    }
  };

  if (hold.error) return <ErrorAlert error={hold.error} />;
  if (!hold.data?.hold || !quote.data) {
    return quote.error ? <ErrorAlert error={quote.error} /> : <Loading />;
  }
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <section className="card bg-base-100 shadow-sm" aria-labelledby="summary-heading">
        <div className="card-body">
          <h1 id="summary-heading" className="card-title">
            {t("checkout.title")}
          </h1>
          <p>
            {t("hold.expiresIn")}{" "}
            <Countdown deadline={toLocalTime(millisOf(hold.data.hold.expireTime))} onExpire={() => setExpired(true)} />
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("checkout.seat")}</th>
                <th scope="col">{t("checkout.tier")}</th>
                <th scope="col" className="text-right">
                  {t("checkout.price")}
                </th>
              </tr>
            </thead>
            <tbody>
              {quote.data.lineItems.map((line, index) => (
                <tr key={line.seatId || index}>
                  <td>
                    {line.sectionName} {line.seatLabel}
                  </td>
                  <td>{line.priceTierName}</td>
                  <td className="text-right">{formatMoney(line.price, locale)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td colSpan={2}>{t("checkout.fees")}</td>
                <td className="text-right">{formatMoney(quote.data.fees, locale)}</td>
              </tr>
              <tr>
                <th scope="row" colSpan={2}>
                  {t("checkout.total")}
                </th>
                <td className="text-right font-bold" data-testid="total">
                  {formatMoney(quote.data.total, locale)}
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      </section>
      <form className="card bg-base-100 shadow-sm" onSubmit={pay} aria-labelledby="pay-heading">
        <div className="card-body gap-3">
          <h2 id="pay-heading" className="card-title">
            {t("checkout.pay")}
          </h2>
          {isExpired ? (
            <div role="alert" className="alert alert-error">
              {t("error.holdExpired")}
            </div>
          ) : null}
          {message ? (
            <div role="alert" className="alert alert-error" data-testid="payment-problem">
              <p>
                {t(message.key)}
                {message.detail ? ` (${message.detail})` : ""}
              </p>
            </div>
          ) : null}
          {error ? <ErrorAlert error={error} /> : null}
          <TextField label="checkout.name" required autoComplete="name" value={name} onChange={setName} />
          <TextField
            label="checkout.email"
            required
            type="email"
            autoComplete="email"
            value={email}
            onChange={setEmail}
          />
          <fieldset className="fieldset gap-3">
            <legend className="fieldset-legend">{t("checkout.card")}</legend>
            <TextField
              label="checkout.cardNumber"
              className="w-full font-mono"
              required
              inputMode="numeric"
              autoComplete="cc-number"
              value={card.number}
              onChange={(number) => setCard({ ...card, number })}
            />
            <div className="flex gap-3">
              <TextField
                label="checkout.expiry"
                className="w-28 font-mono"
                required
                placeholder="MM/YY"
                autoComplete="cc-exp"
                value={card.expiry}
                onChange={(expiry) => setCard({ ...card, expiry })}
              />
              <TextField
                label="checkout.cvc"
                className="w-24 font-mono"
                required
                inputMode="numeric"
                autoComplete="cc-csc"
                value={card.cvc}
                onChange={(cvc) => setCard({ ...card, cvc })}
              />
            </div>
            <p className="text-sm opacity-80">{t("checkout.cardNote")}</p>
          </fieldset>
          <button type="submit" className="btn btn-primary" disabled={isPaying || isExpired}>
            {isPaying ? <span className="loading loading-spinner" aria-hidden="true" /> : null}
            {t("checkout.payTotal", { total: formatMoney(quote.data.total, locale) })}
          </button>
        </div>
      </form>
    </div>
  );
}
