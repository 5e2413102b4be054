import { randomUUID } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createEventOn } from "@marquee/catalog/testing";
import { coach, concertIn, hall, publish, ride, tripOn } from "@marquee/inventory/testing";
import { Code } from "@marquee/mesh";
import { adminToken, badFields, failureOf, organizerToken, testId, testUserIds } from "@marquee/mesh/testing";
import type { Order } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { type SalesFigures, SalesReportGrouping } from "@marquee/proto/marquee/ordering/v1/report_pb.js";
import { expect } from "chai";
import { OrderEntity, RefundEntity, TicketEntity } from "../../src/entities/index.js";
import { type Buyer, buyer, checkout, hold, type TestOrdering, useOrdering } from "../support/testing.js";

/** Figures as plain numbers in minor units, for exact comparison; net is checked to be gross − refunds. */
function plain(figures: SalesFigures | undefined) {
  const gross = Number(figures?.gross?.amountMinor);
  const refunds = Number(figures?.refunds?.amountMinor);
  expect(Number(figures?.net?.amountMinor)).to.equal(gross - refunds);
  expect(figures?.gross?.currencyCode).to.equal("BDT");
  return {
    sold: Number(figures?.ticketsSold),
    refunded: Number(figures?.ticketsRefunded),
    gross,
    fees: Number(figures?.fees?.amountMinor),
    refunds,
  };
}

const none = { sold: 0, refunded: 0, gross: 0, fees: 0, refunds: 0 };

/** Moves an order's sale to `at`, as if it had been confirmed then. */
async function confirmedAt(env: TestOrdering, order: Order, at: string): Promise<void> {
  await env.service.deps.orm.em.fork().nativeUpdate(OrderEntity, { id: order.id }, { confirmTime: new Date(at) });
}

/**
 * Records a refund of some of an order's tickets at `at`, as RefundOrder and CancelOrder leave it: the
 * refund row, and unless it failed the tickets voided (REFUNDED, or CANCELLED by a cancellation).
 */
async function refunded(
  env: TestOrdering,
  order: Order,
  seatIds: readonly string[],
  amountMinor: bigint,
  options: { readonly at: string; readonly state?: string; readonly cancellation?: boolean },
): Promise<void> {
  const em = env.service.deps.orm.em.fork();
  const ticketIds = order.tickets.filter((ticket) => seatIds.includes(ticket.seatId)).map((ticket) => ticket.id);
  const state = options.state ?? "SUCCEEDED";
  await em.insert(RefundEntity, {
    id: randomUUID(),
    orderId: order.id,
    ticketIds,
    currencyCode: "BDT",
    amountMinor,
    reason: options.cancellation ? "BUYER_CANCELLED" : "REQUESTED_BY_BUYER",
    note: "",
    state,
    requesterId: testUserIds.organizer,
    paymentRefundId: "",
    seatsReleased: true,
    idempotencyKey: randomUUID(),
    requestFingerprint: "",
    createTime: new Date(options.at),
    completeTime: null,
  });
  if (state === "FAILED") return;
  await em.nativeUpdate(
    TicketEntity,
    { id: { $in: ticketIds } },
    { state: options.cancellation ? "CANCELLED" : "REFUNDED", voidTime: new Date(options.at) },
  );
}

describe("OrderingService.SalesReport: an event's sales, refunds and net, in total, per day, tier and ride", () => {
  const env = useOrdering();
  let organizer: string;
  let ana: Buyer;
  let ben: Buyer;
  let cyd: Buyer;

  async function bought(who: Buyer, eventId: string, seatIds: readonly string[]): Promise<Order> {
    return await checkout(env, who, (await hold(env, who, eventId, seatIds)).id);
  }

  before(async () => {
    organizer = await organizerToken(testUserIds.organizer);
    [ana, ben, cyd] = await Promise.all([buyer("ana"), buyer("ben"), buyer("cyd")]);
  });

  it("sums sales and refunds per price tier, the refunded tickets' share to each and a kept fee split evenly", async () => {
    const concert = await publish(env.inventory.catalog, hall, concertIn);
    // Standard 2,000.00 and Premium 5,000.00 taka, each with its 2.5 % fee.
    const anas = await bought(ana, concert.id, ["stalls:A-1", "stalls:A-2"]); // 410,000
    const bens = await bought(ben, concert.id, ["box:A-1"]); // 512,500
    const cyds = await bought(cyd, concert.id, ["stalls:B-1", "box:A-2"]); // 717,500
    const now = new Date().toISOString();
    await refunded(env, anas, ["stalls:A-2"], 205_000n, { at: now });
    await refunded(env, bens, ["box:A-1"], 512_500n, { at: now, state: "FAILED" });
    // A cancellation keeping 10.01 taka: 1,001 split over two tickets, 501 and 500 by line.
    await refunded(env, cyds, ["stalls:B-1", "box:A-2"], 716_499n, { at: now, state: "PENDING", cancellation: true });

    const report = await env.client.salesReport({ eventId: concert.id }, { token: organizer });
    expect(plain(report.totals)).to.deep.equal({
      sold: 5,
      refunded: 3,
      gross: 1_640_000,
      fees: 40_000,
      refunds: 921_499,
    });
    expect(report.priceTiers.map((tier) => [tier.priceTierId, tier.priceTierName, plain(tier.figures)])).to.deep.equal([
      ["premium", "Premium", { sold: 2, refunded: 1, gross: 1_025_000, fees: 25_000, refunds: 512_000 }],
      ["standard", "Standard", { sold: 3, refunded: 2, gross: 615_000, fees: 15_000, refunds: 409_499 }],
    ]);
    expect(report.rides).to.deep.equal([]);
    expect(report.days).to.deep.equal([]);
    expect(report.startTime).to.deep.equal(anas.confirmTime);
  });

  it("splits days at midnight in the requested zone, with partial first and last days and days without sales", async () => {
    const concert = await publish(env.inventory.catalog, hall, concertIn);
    const anas = await bought(ana, concert.id, ["stalls:A-1"]);
    const bens = await bought(ben, concert.id, ["stalls:A-2"]);
    const cyds = await bought(cyd, concert.id, ["stalls:A-3"]);
    await confirmedAt(env, anas, "2026-03-10T17:30:00Z"); // 23:30 on 10 March in Dhaka (UTC+6)
    await confirmedAt(env, bens, "2026-03-10T18:30:00Z"); // 00:30 on 11 March in Dhaka
    await confirmedAt(env, cyds, "2026-03-12T13:00:00Z"); // after the period
    await refunded(env, anas, ["stalls:A-1"], 205_000n, { at: "2026-03-12T03:00:00Z" }); // 09:00 on 12 March

    const period = {
      eventId: concert.id,
      startTime: timestampFromDate(new Date("2026-03-10T06:00:00Z")),
      endTime: timestampFromDate(new Date("2026-03-12T12:00:00Z")),
      groupBy: SalesReportGrouping.DAY,
    };
    const daysIn = async (timeZone: string) => {
      const report = await env.client.salesReport({ ...period, timeZone }, { token: organizer });
      expect(plain(report.totals)).to.deep.equal({
        sold: 2,
        refunded: 1,
        gross: 410_000,
        fees: 10_000,
        refunds: 205_000,
      });
      return report.days.map((day) => [
        day.startTime && new Date(Number(day.startTime.seconds) * 1000).toISOString(),
        day.endTime && new Date(Number(day.endTime.seconds) * 1000).toISOString(),
        plain(day.figures),
      ]);
    };
    const sale = { sold: 1, refunded: 0, gross: 205_000, fees: 5_000, refunds: 0 };
    const refund = { sold: 0, refunded: 1, gross: 0, fees: 0, refunds: 205_000 };
    expect(await daysIn("Asia/Dhaka")).to.deep.equal([
      ["2026-03-10T06:00:00.000Z", "2026-03-10T18:00:00.000Z", sale],
      ["2026-03-10T18:00:00.000Z", "2026-03-11T18:00:00.000Z", sale],
      ["2026-03-11T18:00:00.000Z", "2026-03-12T12:00:00.000Z", refund],
    ]);
    expect(await daysIn("UTC")).to.deep.equal([
      ["2026-03-10T06:00:00.000Z", "2026-03-11T00:00:00.000Z", { ...sale, sold: 2, gross: 410_000, fees: 10_000 }],
      ["2026-03-11T00:00:00.000Z", "2026-03-12T00:00:00.000Z", none],
      ["2026-03-12T00:00:00.000Z", "2026-03-12T12:00:00.000Z", refund],
    ]);
  });

  it("reports a trip per seat class and per ride, in route order", async () => {
    const trip = await publish(env.inventory.catalog, coach, tripOn);
    const onRide = async (who: Buyer, from: string, to: string, seatIds: string[]) => {
      const { hold } = await env.inventory.client.holdSeats(
        { eventId: trip.id, ride: ride(from, to), seatIds },
        { token: who.token },
      );
      return await checkout(env, who, hold?.id ?? "");
    };
    // 500 taka a leg and the 2.5 % fee: 1,025.00 a ticket for two legs, 512.50 for one. Benapole comes
    // before Jessore by name, after it on the route.
    await onRide(ana, "jessore", "kolkata", ["cabin:7-A"]);
    const bens = await onRide(ben, "jessore", "kolkata", ["cabin:7-B", "cabin:7-C"]);
    await onRide(cyd, "benapole", "kolkata", ["cabin:8-A"]);
    await refunded(env, bens, ["cabin:7-C"], 102_500n, { at: new Date().toISOString() });

    const report = await env.client.salesReport({ eventId: trip.id }, { token: organizer });
    expect(plain(report.totals)).to.deep.equal({ sold: 4, refunded: 1, gross: 358_750, fees: 8_750, refunds: 102_500 });
    expect(report.priceTiers.map((tier) => [tier.priceTierId, tier.priceTierName, plain(tier.figures)])).to.deep.equal([
      ["", "aisle", { sold: 2, refunded: 1, gross: 205_000, fees: 5_000, refunds: 102_500 }],
      ["", "window", { sold: 2, refunded: 0, gross: 153_750, fees: 3_750, refunds: 0 }],
    ]);
    expect(
      report.rides.map((row) => [row.ride?.boardingStopId, row.ride?.alightingStopId, plain(row.figures)]),
    ).to.deep.equal([
      ["jessore", "kolkata", { sold: 3, refunded: 1, gross: 307_500, fees: 7_500, refunds: 102_500 }],
      ["benapole", "kolkata", { sold: 1, refunded: 0, gross: 51_250, fees: 1_250, refunds: 0 }],
    ]);
  });

  it("is for the event's organizer and admins; another organizer is told the event does not exist", async () => {
    const concert = await publish(env.inventory.catalog, hall, concertIn);
    const rival = await organizerToken(testId("rival-organizer"));
    const rivals = await createEventOn(env.inventory.catalog, rival, hall, concertIn);
    expect(
      plain((await env.client.salesReport({ eventId: concert.id }, { token: await adminToken() })).totals),
    ).to.deep.equal(none);
    expect(plain((await env.client.salesReport({ eventId: rivals.event.id }, { token: rival })).totals)).to.deep.equal(
      none,
    );
    const codeOf = async (eventId: string, token: string) =>
      (await failureOf(env.client.salesReport({ eventId }, { token }))).code;
    expect(await codeOf(rivals.event.id, organizer)).to.equal(Code.NotFound);
    expect(await codeOf(testId("no-such-event"), organizer)).to.equal(Code.NotFound);
    expect(await codeOf(concert.id, ana.token)).to.equal(Code.PermissionDenied);
  });

  it("refuses a zone that is not IANA's, an end not after the start, and more than 366 days split by day", async () => {
    const concert = await publish(env.inventory.catalog, hall, concertIn);
    const at = (iso: string) => timestampFromDate(new Date(iso));
    const refusal = async (request: Parameters<typeof env.client.salesReport>[0]) =>
      badFields(await failureOf(env.client.salesReport({ eventId: concert.id, ...request }, { token: organizer })));
    expect(await refusal({ timeZone: "Mars/Olympus_Mons" })).to.deep.equal(["time_zone"]);
    expect(await refusal({ timeZone: "+06:00" })).to.deep.equal(["time_zone"]);
    const start = at("2025-01-01T00:00:00Z");
    expect(await refusal({ startTime: start, endTime: start })).to.deep.equal(["end_time"]);
    expect(await refusal({ startTime: at("2999-01-01T00:00:00Z") })).to.deep.equal(["end_time"]);
    // 1 January 2025 to 2 January 2026 is 366 days in UTC, but 367 in Dhaka, where it starts and ends at 06:00.
    const year = { startTime: start, endTime: at("2026-01-02T00:00:00Z"), groupBy: SalesReportGrouping.DAY };
    const utc = await env.client.salesReport({ eventId: concert.id, ...year }, { token: organizer });
    expect(utc.days).to.have.length(366);
    expect(await refusal({ ...year, timeZone: "Asia/Dhaka" })).to.deep.equal(["group_by"]);
    const ungrouped = await env.client.salesReport(
      { eventId: concert.id, ...year, groupBy: SalesReportGrouping.UNSPECIFIED, timeZone: "Asia/Dhaka" },
      { token: organizer },
    );
    expect(ungrouped.days).to.deep.equal([]);
  });
});
