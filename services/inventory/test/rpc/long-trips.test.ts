import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { borderTrip } from "@marquee/catalog/testing";
import { Code, MAX_LEGS } from "@marquee/mesh";
import {
  badFields,
  customerToken,
  failureOf,
  organizerToken,
  preconditions,
  testId,
  wholeMinutesFromNowMs,
} from "@marquee/mesh/testing";
import type { EventSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { HoldState, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { coach, publish, ride, useInventory } from "../support/inventory.js";

type EventInit = MessageInitShape<typeof EventSchema>;

/** Halts of a stopping train, `halt-0` … `halt-<count - 1>`, an hour apart, ten minutes at each. */
function haltIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `halt-${i}`);
}

/** A stopping train on `venueId` along `count` halts, a fare of 50 taka for each leg. */
function stoppingTrain(venueId: string, count: number): EventInit {
  const departMs = wholeMinutesFromNowMs({ days: 20 });
  const at = (hours: number) => timestampFromMs(departMs + hours * 3_600_000);
  const ids = haltIds(count);
  return borderTrip(venueId, {
    overrides: {
      title: `Padma Express, ${count} halts`,
      stops: ids.map((id, i) => ({
        id,
        name: `Halt ${i}`,
        city: `Town ${i}`,
        ...(i > 0 ? { arrivalTime: at(i) } : {}),
        ...(i < count - 1 ? { departureTime: at(i + 1 / 6) } : {}),
      })),
      fares: ids.slice(0, -1).map((id, leg) => ({
        boardingStopId: id,
        alightingStopId: ids[leg + 1] ?? "",
        price: { amountMinor: 5_000n },
      })),
    },
  });
}

describe("InventoryService on trips of more than 8 legs", () => {
  const env = useInventory();
  const halts = haltIds(30);
  const leg = (i: number) => `${halts[i]}-${halts[i + 1]}`;

  it("sells a 30-stop train per leg: two riders on one seat over disjoint rides, an overlapping ride refused naming its legs", async () => {
    const train = await publish(env.catalog, coach, (venueId) => stoppingTrain(venueId, 30));
    expect(train.stops).to.have.length(30);

    const sell = async (buyer: string, from: number, to: number) => {
      const { hold } = await env.client.holdSeats(
        { eventId: train.id, ride: ride(halts[from] ?? "", halts[to] ?? ""), seatIds: ["cabin:7-A"] },
        { token: await customerToken(testId(buyer)) },
      );
      expect(hold?.state).to.equal(HoldState.ACTIVE);
      await env.internal.commitHold({ holdId: hold?.id ?? "", orderId: testId(`order-${buyer}`) });
      return hold;
    };
    const first = await sell("rahim", 0, 12);
    const second = await sell("karim", 12, 29);
    expect(first?.ride).to.deep.include({ boardingStopId: "halt-0", alightingStopId: "halt-12" });
    expect(second?.ride).to.deep.include({ boardingStopId: "halt-12", alightingStopId: "halt-29" });

    const token = await customerToken(testId("third"));
    const across = await failureOf(
      env.client.holdSeats(
        { eventId: train.id, ride: ride("halt-10", "halt-14"), seatIds: ["cabin:7-A", "cabin:7-B"] },
        { token },
      ),
    );
    expect(across.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(across)).to.deep.equal(
      [10, 11, 12, 13].map((i) => ({ type: "SEAT_SOLD", subject: `seat:cabin:7-A/leg:${leg(i)}` })),
    );
    const lastLeg = await failureOf(
      env.client.holdSeats({ eventId: train.id, ride: ride("halt-28", "halt-29"), seatIds: ["cabin:7-A"] }, { token }),
    );
    expect(preconditions(lastLeg)).to.deep.equal([{ type: "SEAT_SOLD", subject: `seat:cabin:7-A/leg:${leg(28)}` }]);

    // 7-B is held, not sold, over legs 20..24 only; 7-A sold over all of them.
    const { hold } = await env.client.holdSeats(
      { eventId: train.id, ride: ride("halt-20", "halt-25"), seatIds: ["cabin:7-B"] },
      { token },
    );
    expect(hold?.state).to.equal(HoldState.ACTIVE);
    const seatsOn = async (from: number, to: number) => {
      const { sections, seats } = await env.client.getAvailability({
        eventId: train.id,
        ride: ride(halts[from] ?? "", halts[to] ?? ""),
        includeSeats: true,
      });
      const taken = Object.fromEntries(
        seats.filter((seat) => seat.state !== SeatState.AVAILABLE).map((seat) => [seat.seatId, seat.state]),
      );
      return { counts: sections.map(({ available, held, sold }) => ({ available, held, sold })), taken };
    };
    expect(await seatsOn(0, 1)).to.deep.equal({
      counts: [{ available: 39, held: 0, sold: 1 }],
      taken: { "cabin:7-A": SeatState.SOLD },
    });
    expect(await seatsOn(19, 21)).to.deep.equal({
      counts: [{ available: 38, held: 1, sold: 1 }],
      taken: { "cabin:7-A": SeatState.SOLD, "cabin:7-B": SeatState.HELD },
    });
    expect(await seatsOn(25, 29)).to.deep.equal({
      counts: [{ available: 39, held: 0, sold: 1 }],
      taken: { "cabin:7-A": SeatState.SOLD },
    });
    const whole = await env.client.getAvailability({ eventId: train.id });
    expect(whole.sections[0]).to.deep.include({ available: 38, held: 1, sold: 1 });
  });

  it(`takes a train of ${MAX_LEGS + 1} stops (${MAX_LEGS} legs) end to end`, async () => {
    const longest = haltIds(MAX_LEGS + 1);
    const train = await publish(env.catalog, coach, (venueId) => stoppingTrain(venueId, MAX_LEGS + 1));
    const token = await customerToken(testId("longest"));
    const { hold } = await env.client.holdSeats(
      { eventId: train.id, ride: ride(longest[MAX_LEGS - 1] ?? "", longest[MAX_LEGS] ?? ""), seatIds: ["cabin:1-A"] },
      { token },
    );
    expect(hold?.state).to.equal(HoldState.ACTIVE);
    // The whole route: 1-A is taken on its last leg, so the front row's first free pair is 1-B, 1-C.
    const best = await env.client.holdBestAvailable(
      { eventId: train.id, quantity: 2, requireAdjacent: true },
      { token: await customerToken(testId("whole")) },
    );
    expect(best.hold?.seatIds).to.deep.equal(["cabin:1-B", "cabin:1-C"]);
    const lastLeg = await env.client.getAvailability({
      eventId: train.id,
      ride: ride(longest[MAX_LEGS - 1] ?? "", longest[MAX_LEGS] ?? ""),
    });
    expect(lastLeg.sections[0]).to.deep.include({ available: 37, held: 3, sold: 0 });
    const firstLeg = await env.client.getAvailability({ eventId: train.id, ride: ride("halt-0", "halt-1") });
    expect(firstLeg.sections[0]).to.deep.include({ available: 38, held: 2, sold: 0 });
  });

  it(`is never offered a trip it cannot sell: catalog refuses ${MAX_LEGS + 2} stops on create and update, naming event.stops`, async () => {
    const token = await organizerToken();
    const { venue } = await env.catalog.client.createVenue({ venue: coach }, { token });
    const venueId = venue?.id ?? "";
    const created = await failureOf(
      env.catalog.client.createEvent({ event: stoppingTrain(venueId, MAX_LEGS + 2) }, { token }),
    );
    expect(created.code).to.equal(Code.InvalidArgument);
    expect(badFields(created)).to.deep.equal(["event.stops"]);

    const { event: draft } = await env.catalog.client.createEvent({ event: stoppingTrain(venueId, 10) }, { token });
    const updated = await failureOf(
      env.catalog.client.updateEvent(
        { event: { ...stoppingTrain(venueId, MAX_LEGS + 2), id: draft?.id ?? "" }, updateMask: { paths: ["stops"] } },
        { token },
      ),
    );
    expect(updated.code).to.equal(Code.InvalidArgument);
    expect(badFields(updated)).to.include("event.stops");
  });
});
