import { Code, metricsRegistry } from "@marquee/mesh";
import { badFields, customerToken, failureOf, preconditions, quotaSubjects, testId } from "@marquee/mesh/testing";
import { HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { coach, concertIn, hall, publish, ride, tripOn, useInventory } from "../support/inventory.js";

describe("InventoryService.HoldSeats", () => {
  const env = useInventory();

  it("holds named seats and general-admission places for the caller, all or nothing", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const token = await customerToken(testId("buyer-1"));
    const { hold } = await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:A-1", "stalls:A-2"], places: [{ sectionId: "pit", quantity: 3 }] },
      { token },
    );
    expect(hold?.state).to.equal(HoldState.ACTIVE);
    expect(hold?.userId).to.equal(testId("buyer-1"));
    expect(hold?.seatIds).to.deep.equal(["stalls:A-1", "stalls:A-2"]);
    expect(hold?.places).to.deep.include({
      sectionId: "pit",
      quantity: 3,
      $typeName: "marquee.inventory.v1.PlaceCount",
    });
    expect(hold?.ride).to.equal(undefined);
    expect(hold?.extensionsLeft).to.equal(1);
    const lifetime = Number(hold?.expireTime?.seconds) - Number(hold?.createTime?.seconds);
    expect(lifetime).to.equal(600);

    const availability = await env.client.getAvailability({ eventId: event.id });
    const counts = Object.fromEntries(availability.sections.map((s) => [s.sectionId, [s.available, s.held, s.sold]]));
    expect(counts).to.deep.equal({ stalls: [48, 2, 0], box: [4, 0, 0], pit: [47, 3, 0] });
  });

  it("refuses seats another buyer holds, naming each, and holds none of the request", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:B-5"] },
      { token: await customerToken(testId("first")) },
    );
    const error = await failureOf(
      env.client.holdSeats(
        { eventId: event.id, seatIds: ["stalls:B-4", "stalls:B-5"] },
        { token: await customerToken(testId("second")) },
      ),
    );
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)).to.deep.equal([{ type: "SEAT_HELD", subject: "seat:stalls:B-5" }]);
    const counted = await metricsRegistry.getSingleMetricAsString("inventory_hold_outcomes_total");
    expect(counted).to.match(/inventory_hold_outcomes_total\{outcome="taken"\} [1-9]/);
    const { seats } = await env.client.getAvailability({
      eventId: event.id,
      sectionIds: ["stalls"],
      includeSeats: true,
    });
    expect(seats.filter((s) => s.state !== 1).map((s) => s.seatId)).to.deep.equal(["stalls:B-5"]);
  });

  it("sells 7A Dhaka → Jessore and Jessore → Kolkata to two buyers and refuses rides over their legs, naming them", async () => {
    const trip = await publish(env.catalog, coach, tripOn);
    const sell = async (buyer: string, from: string, to: string) => {
      const { hold } = await env.client.holdSeats(
        { eventId: trip.id, ride: ride(from, to), seatIds: ["cabin:7-A"] },
        { token: await customerToken(testId(buyer)) },
      );
      await env.internal.commitHold({ holdId: hold?.id ?? "", orderId: testId(`order-${buyer}`) });
      return hold;
    };
    const first = await sell("rahim", "dhaka", "jessore");
    const second = await sell("karim", "jessore", "kolkata");
    expect(first?.ride).to.deep.include({ boardingStopId: "dhaka", alightingStopId: "jessore" });
    expect(second?.ride).to.deep.include({ boardingStopId: "jessore", alightingStopId: "kolkata" });

    const token = await customerToken(testId("third"));
    const whole = await failureOf(
      env.client.holdSeats({ eventId: trip.id, ride: ride("dhaka", "kolkata"), seatIds: ["cabin:7-A"] }, { token }),
    );
    expect(whole.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(whole).map((p) => p.subject)).to.deep.equal([
      "seat:cabin:7-A/leg:dhaka-faridpur",
      "seat:cabin:7-A/leg:faridpur-jessore",
      "seat:cabin:7-A/leg:jessore-benapole",
      "seat:cabin:7-A/leg:benapole-kolkata",
    ]);
    expect(preconditions(whole).every((p) => p.type === "SEAT_SOLD")).to.equal(true);
    const middle = await failureOf(
      env.client.holdSeats({ eventId: trip.id, ride: ride("faridpur", "benapole"), seatIds: ["cabin:7-A"] }, { token }),
    );
    expect(preconditions(middle).map((p) => p.subject)).to.deep.equal([
      "seat:cabin:7-A/leg:faridpur-jessore",
      "seat:cabin:7-A/leg:jessore-benapole",
    ]);
    const fresh = await env.client.holdSeats(
      { eventId: trip.id, ride: ride("benapole", "kolkata"), seatIds: ["cabin:7-B"] },
      { token },
    );
    expect(fresh.hold?.state).to.equal(HoldState.ACTIVE);

    const dhakaFaridpur = await env.client.getAvailability({ eventId: trip.id, ride: ride("dhaka", "faridpur") });
    expect(dhakaFaridpur.sections[0]).to.deep.include({ available: 39, held: 0, sold: 1, capacity: 40 });
    const benapoleKolkata = await env.client.getAvailability({ eventId: trip.id, ride: ride("benapole", "kolkata") });
    expect(benapoleKolkata.sections[0]).to.deep.include({ available: 38, held: 1, sold: 1 });
  });

  it("caps a buyer's held and bought seats per event, for one request and across holds", async () => {
    const event = await publish(env.catalog, hall, (venueId) => concertIn(venueId, { maxSeatsPerUser: 4 }));
    const token = await customerToken(testId("capped"));
    const alone = await failureOf(
      env.client.holdSeats(
        { eventId: event.id, seatIds: ["stalls:C-1"], places: [{ sectionId: "pit", quantity: 4 }] },
        { token },
      ),
    );
    expect(alone.code).to.equal(Code.ResourceExhausted);
    expect(quotaSubjects(alone)).to.deep.equal([`user:${testId("capped")}/event:${event.id}`]);
    const { hold } = await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:C-1", "stalls:C-2"] },
      { token },
    );
    await env.internal.commitHold({ holdId: hold?.id ?? "", orderId: testId("order-capped") });
    await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:C-3"] }, { token });
    const across = await failureOf(
      env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:C-4", "stalls:C-5"] }, { token }),
    );
    expect(across.code).to.equal(Code.ResourceExhausted);
    expect(across.rawMessage).to.contain("at most 4 seats");
    const other = await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:C-4"] },
      { token: await customerToken(testId("someone-else")) },
    );
    expect(other.hold?.state).to.equal(HoldState.ACTIVE);
  });

  describe("bad input changes nothing and names the field", () => {
    const cases: [string, (eventId: string, tripId: string) => object, Code, string[]][] = [
      ["no seats", (eventId) => ({ eventId }), Code.InvalidArgument, ["seat_ids"]],
      [
        "an unknown seat",
        (eventId) => ({ eventId, seatIds: ["stalls:A-1", "stalls:Z-99"] }),
        Code.InvalidArgument,
        ["seat_ids[1]"],
      ],
      [
        "duplicate seats",
        (eventId) => ({ eventId, seatIds: ["stalls:A-1", "stalls:A-1"] }),
        Code.InvalidArgument,
        ["seat_ids[1]"],
      ],
      [
        "zero places",
        (eventId) => ({ eventId, places: [{ sectionId: "pit", quantity: 0 }] }),
        Code.InvalidArgument,
        ["places[0].quantity"],
      ],
      [
        "places of a seated section",
        (eventId) => ({ eventId, places: [{ sectionId: "stalls", quantity: 1 }] }),
        Code.InvalidArgument,
        ["places[0].section_id"],
      ],
      [
        "a ride on an event",
        (eventId) => ({ eventId, ride: ride("dhaka", "kolkata"), seatIds: ["stalls:A-1"] }),
        Code.InvalidArgument,
        ["ride"],
      ],
      [
        "a ride with an unknown stop",
        (_, tripId) => ({ eventId: tripId, ride: ride("dhaka", "chittagong"), seatIds: ["cabin:1-A"] }),
        Code.InvalidArgument,
        ["ride.alighting_stop_id"],
      ],
      [
        "alighting before boarding",
        (_, tripId) => ({ eventId: tripId, ride: ride("jessore", "faridpur"), seatIds: ["cabin:1-A"] }),
        Code.InvalidArgument,
        ["ride.alighting_stop_id"],
      ],
      [
        "a ride naming one stop",
        (_, tripId) => ({ eventId: tripId, ride: ride("jessore", ""), seatIds: ["cabin:1-A"] }),
        Code.InvalidArgument,
        ["ride.alighting_stop_id"],
      ],
      [
        "an event id that is no UUID",
        () => ({ eventId: "concert", seatIds: ["stalls:A-1"] }),
        Code.InvalidArgument,
        ["event_id"],
      ],
      [
        "an unknown event",
        () => ({ eventId: "00000000-0000-4000-8000-000000000404", seatIds: ["stalls:A-1"] }),
        Code.NotFound,
        [],
      ],
    ];
    let eventId = "";
    let tripId = "";
    before(async () => {
      eventId = (await publish(env.catalog, hall, concertIn)).id;
      tripId = (await publish(env.catalog, coach, tripOn)).id;
    });

    for (const [name, request, code, fields] of cases) {
      it(`${name}: ${Code[code]} ${fields.join(", ")}`, async () => {
        const token = await customerToken(testId("bad-input"));
        const error = await failureOf(env.client.holdSeats(request(eventId, tripId), { token }));
        expect(error.code).to.equal(code);
        expect(badFields(error)).to.deep.equal(fields);
        for (const id of [eventId, tripId]) {
          const { sections } = await env.client.getAvailability({ eventId: id });
          expect(sections.every((s) => s.held === 0 && s.sold === 0)).to.equal(true);
        }
      });
    }
  });
});
