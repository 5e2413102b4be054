import { Code } from "@marquee/mesh";
import { customerToken, failureOf, preconditions, testId } from "@marquee/mesh/testing";
import { HoldState, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { concertIn, hall, publish, useInventory } from "../support/inventory.js";

describe("InventoryInternalService.AbandonHold: ordering ends a buyer's hold after a failed checkout", () => {
  const env = useInventory();

  async function holdAs(buyer: string, eventId: string, seatIds: string[]) {
    const { hold } = await env.client.holdSeats({ eventId, seatIds }, { token: await customerToken(testId(buyer)) });
    return hold?.id ?? "";
  }

  async function stateOf(eventId: string, seatId: string) {
    const { seats } = await env.client.getAvailability({ eventId, includeSeats: true });
    return seats.find((seat) => seat.seatId === seatId)?.state;
  }

  it("frees the seats of anyone's hold at once, and a second call answers the released hold unchanged", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const holdId = await holdAs("abandoned", event.id, ["stalls:A-1"]);
    expect(await stateOf(event.id, "stalls:A-1")).to.equal(SeatState.HELD);
    const { hold } = await env.internal.abandonHold({ holdId });
    expect(hold?.state).to.equal(HoldState.RELEASED);
    expect(hold?.userId).to.equal(testId("abandoned"));
    expect(await stateOf(event.id, "stalls:A-1")).to.equal(SeatState.AVAILABLE);
    expect((await env.internal.abandonHold({ holdId })).hold?.state).to.equal(HoldState.RELEASED);
    await holdAs("next-buyer", event.id, ["stalls:A-1"]);
  });

  it("refuses a committed hold with HOLD_COMMITTED and leaves its seats sold", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const holdId = await holdAs("buyer", event.id, ["stalls:B-1"]);
    await env.internal.commitHold({ holdId, orderId: testId("order-abandon") });
    const error = await failureOf(env.internal.abandonHold({ holdId }));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error).map((v) => v.type)).to.deep.equal(["HOLD_COMMITTED"]);
    expect(await stateOf(event.id, "stalls:B-1")).to.equal(SeatState.SOLD);
  });

  it("answers NOT_FOUND for a hold that never existed", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    expect(
      await (await failureOf(env.internal.abandonHold({ holdId: `${event.id}.${testId("nohold")}` }))).code,
    ).to.equal(Code.NotFound);
  });
});
