import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Database } from "@marquee/mesh";
import { customerToken, testId } from "@marquee/mesh/testing";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { SeatsReleasedSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
import { expect } from "chai";
import { coach, concertIn, hall, publish, ride, tripOn, useInventory } from "../support/inventory.js";

/** The SeatsReleased events in the inventory's outbox, oldest first (the relay is not running in these tests). */
async function releases(orm: Database) {
  const rows = await orm.em
    .fork()
    .execute<{ envelope: Buffer }[]>(
      "select envelope from outbox where type = 'marquee.events.v1.SeatsReleased' order by seq",
    );
  return rows.map((row) => {
    const payload = fromBinary(EnvelopeSchema, row.envelope).payload;
    const released = payload && anyUnpack(payload, SeatsReleasedSchema);
    if (!released) throw new Error("an outbox entry of type SeatsReleased without its payload");
    return released;
  });
}

describe("ReleaseSold writes SeatsReleased", () => {
  const env = useInventory();

  async function buy(eventId: string, buyer: string, seatIds: string[], orderId: string, leg?: [string, string]) {
    const { hold } = await env.client.holdSeats(
      { eventId, seatIds, ...(leg ? { ride: ride(...leg) } : {}) },
      { token: await customerToken(testId(buyer)) },
    );
    await env.internal.commitHold({ holdId: hold?.id ?? "", orderId: testId(orderId) });
  }

  it("with the seats and the count left after the release, once: a retry writes nothing", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    await buy(event.id, "refunded", ["stalls:B-1", "stalls:B-2"], "order-released");
    const available = async () =>
      (await env.client.getAvailability({ eventId: event.id })).sections.reduce((sum, s) => sum + s.available, 0);
    const before = await available();
    await env.internal.releaseSold({ eventId: event.id, orderId: testId("order-released"), seatIds: ["stalls:B-2"] });
    await env.internal.releaseSold({ eventId: event.id, orderId: testId("order-released"), seatIds: ["stalls:B-2"] });
    const written = (await releases(env.orm)).filter((r) => r.eventId === event.id);
    expect(written).to.have.length(1);
    expect(written[0]).to.deep.include({
      orderId: testId("order-released"),
      seatIds: ["stalls:B-2"],
      placeCount: 0,
      availableAfter: before + 1,
    });
    expect(written[0]?.ride).to.equal(undefined);
    expect(await available()).to.equal(written[0]?.availableAfter, "what inventory shows once Redis freed it");
  });

  it("names the ride a trip's seats were sold for", async () => {
    const trip = await publish(env.catalog, coach, tripOn);
    await buy(trip.id, "traveller", ["cabin:7-A"], "order-ride", ["jessore", "kolkata"]);
    await env.internal.releaseSold({ eventId: trip.id, orderId: testId("order-ride") });
    const [released] = (await releases(env.orm)).filter((r) => r.eventId === trip.id);
    expect(released?.seatIds).to.deep.equal(["cabin:7-A"]);
    expect([released?.ride?.boardingStopId, released?.ride?.alightingStopId]).to.deep.equal(["jessore", "kolkata"]);
  });
});
