import { useQuery } from "@connectrpc/connect-query";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Loading } from "../components/loading.js";
import { useI18n } from "../i18n/index.js";
import { formatDateTime, formatMoney } from "../lib/format.js";
import { Link } from "../router.js";
import { orderStateKeys } from "./order-page.js";

/** "My tickets": the buyer's orders, newest first, each opening its tickets. */
export function MyTicketsPage() {
  const { t, locale } = useI18n();
  const orders = useQuery(OrderingService.method.listMyOrders, { pageSize: 50 });
  if (orders.error) return <ErrorAlert error={orders.error} />;
  if (!orders.data) return <Loading />;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("tickets.title")}</h1>
      {orders.data.orders.length === 0 ? <p>{t("tickets.none")}</p> : null}
      <div className="overflow-x-auto">
        <table className="table bg-base-100" aria-label={t("tickets.history")}>
          <thead>
            <tr>
              <th scope="col">{t("tickets.order")}</th>
              <th scope="col">{t("tickets.date")}</th>
              <th scope="col">{t("tickets.count")}</th>
              <th scope="col">{t("tickets.state")}</th>
              <th scope="col" className="text-right">
                {t("checkout.total")}
              </th>
            </tr>
          </thead>
          <tbody>
            {orders.data.orders.map((order) => (
              <tr key={order.id} data-testid="order-row">
                <td>
                  <Link href={`/orders/${order.id}`} className="link">
                    {order.id}
                  </Link>
                </td>
                <td>{formatDateTime(order.createTime?.seconds, locale)}</td>
                <td>{order.tickets.length}</td>
                <td>{t(orderStateKeys[order.state])}</td>
                <td className="text-right">{formatMoney(order.total, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
