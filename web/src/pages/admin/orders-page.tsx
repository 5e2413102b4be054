import { useInfiniteQuery } from "@connectrpc/connect-query";
import { OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { type FormEvent, useState } from "react";
import { ErrorAlert } from "../../components/error-alert.js";
import { SelectField, TextField } from "../../components/form-fields.js";
import { Loading } from "../../components/loading.js";
import { useI18n } from "../../i18n/index.js";
import { formatDateTime, formatMoney } from "../../lib/format.js";
import { Link, navigate, useLocation } from "../../router.js";
import { orderStateKeys } from "../order-page.js";
import { AdminLayout, LoadMore } from "./admin-layout.js";
import { useAllEvents } from "./all-events.js";

/** The states an admin filters by: every state an order can be in. */
const filterStates = [
  OrderState.CONFIRMED,
  OrderState.PARTIALLY_REFUNDED,
  OrderState.REFUNDED,
  OrderState.CANCELLED,
  OrderState.PENDING,
  OrderState.FAILED,
  OrderState.EXPIRED,
];

/** ListOrders' filters as the page's query string, so a search can be bookmarked and "back" returns to it. */
interface OrderFilters {
  readonly email: string;
  readonly eventId: string;
  readonly state: string;
  readonly userId: string;
}

function filtersOf(query: URLSearchParams): OrderFilters {
  return {
    email: query.get("email") ?? "",
    eventId: query.get("event") ?? "",
    state: query.get("state") ?? "",
    userId: query.get("user") ?? "",
  };
}

function searchOf(filters: OrderFilters): string {
  const query = new URLSearchParams();
  if (filters.email) query.set("email", filters.email);
  if (filters.eventId) query.set("event", filters.eventId);
  if (filters.state) query.set("state", filters.state);
  if (filters.userId) query.set("user", filters.userId);
  return query.size > 0 ? `?${query}` : "";
}

/** `/admin/orders`: every order of every event, found by buyer, event, state or user, newest first. */
export function AdminOrdersPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const filters = filtersOf(query);
  return (
    <AdminLayout title={t("admin.orders.title")}>
      <OrderSearch key={searchOf(filters)} filters={filters} />
      <OrderResults filters={filters} />
    </AdminLayout>
  );
}

function OrderSearch({ filters }: { filters: OrderFilters }) {
  const { t } = useI18n();
  const { events } = useAllEvents();
  const [draft, setDraft] = useState(filters);
  const set = (change: Partial<OrderFilters>) => setDraft((before) => ({ ...before, ...change }));
  const search = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/admin/orders${searchOf({ ...draft, email: draft.email.trim(), userId: draft.userId.trim() })}`);
  };
  return (
    <form
      className="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-5"
      onSubmit={search}
      aria-label={t("admin.orders.search")}
    >
      <TextField
        label="admin.orders.buyerEmail"
        type="email"
        value={draft.email}
        onChange={(email) => set({ email })}
      />
      <SelectField
        label="admin.orders.event"
        value={draft.eventId}
        onChange={(eventId) => set({ eventId })}
        options={[["", t("admin.orders.anyEvent")], ...(events ?? []).map((e) => [e.id, e.title] as const)]}
      />
      <SelectField
        label="admin.orders.state"
        value={draft.state}
        onChange={(state) => set({ state })}
        options={[["", t("admin.orders.anyState")], ...filterStates.map((s) => [s, t(orderStateKeys[s])] as const)]}
      />
      <TextField label="admin.orders.userId" value={draft.userId} onChange={(userId) => set({ userId })} />
      <button type="submit" className="btn btn-primary">
        {t("admin.search")}
      </button>
    </form>
  );
}

function OrderResults({ filters }: { filters: OrderFilters }) {
  const { t, locale } = useI18n();
  const { events } = useAllEvents();
  const orders = useInfiniteQuery(
    OrderingService.method.listOrders,
    {
      buyerEmail: filters.email,
      eventId: filters.eventId,
      userId: filters.userId,
      states: filters.state ? [Number(filters.state) as OrderState] : [],
      pageSize: 25,
      pageToken: "",
    },
    { pageParamKey: "pageToken", getNextPageParam: (page) => page.nextPageToken || undefined },
  );
  if (orders.error) return <ErrorAlert error={orders.error} />;
  if (!orders.data) return <Loading />;
  const rows = orders.data.pages.flatMap((page) => page.orders);
  const titleOf = (eventId: string) => events?.find((e) => e.id === eventId)?.title ?? eventId;
  return (
    <>
      {rows.length === 0 ? <p>{t("admin.orders.none")}</p> : null}
      <div className="overflow-x-auto">
        <table className="table bg-base-100" aria-label={t("admin.orders.results")}>
          <thead>
            <tr>
              <th scope="col">{t("admin.orders.order")}</th>
              <th scope="col">{t("admin.orders.placed")}</th>
              <th scope="col">{t("admin.orders.buyer")}</th>
              <th scope="col">{t("admin.orders.event")}</th>
              <th scope="col">{t("admin.orders.tickets")}</th>
              <th scope="col">{t("admin.orders.state")}</th>
              <th scope="col" className="text-right">
                {t("admin.orders.total")}
              </th>
              <th scope="col" className="text-right">
                {t("admin.orders.refunded")}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((order) => (
              <tr key={order.id} data-testid="admin-order-row">
                <td>
                  <Link href={`/admin/orders/${order.id}`} className="link font-mono text-xs">
                    {order.id}
                  </Link>
                </td>
                <td className="whitespace-nowrap">{formatDateTime(order.createTime?.seconds, locale)}</td>
                <td>
                  {order.buyer?.name}
                  <br />
                  <span className="text-sm opacity-80">{order.buyer?.email}</span>
                </td>
                <td>{titleOf(order.eventId)}</td>
                <td>{order.lineItems.length}</td>
                <td>{t(orderStateKeys[order.state])}</td>
                <td className="text-right">{formatMoney(order.total, locale)}</td>
                <td className="text-right">{formatMoney(order.refundedAmount, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore
        hasMore={orders.hasNextPage}
        isLoading={orders.isFetchingNextPage}
        onMore={() => void orders.fetchNextPage()}
      />
    </>
  );
}
