import { randomUUID } from "node:crypto";
import { type CallContext, Code } from "@marquee/mesh";
import { badFields, customerToken, failureOf, preconditions, testId, waitFor } from "@marquee/mesh/testing";
import { HoldState, InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { startSweeper } from "../../src/background/sweeper.js";
import {
  concertIn,
  expireNow,
  hall,
  logger,
  outboxTypes,
  publish,
  soldRows,
  useInventory,
} from "../support/inventory.js";

describe("holds through their life: GetHold, ExtendHold, ReleaseHold, CommitHold", () => {
  const env = useInventory();

  async function holdOne(buyer: string, seatIds = ["stalls:D-1"]) {
    const event = await publish(env.catalog, hall, concertIn);
    const token = await customerToken(testId(buyer));
    const { hold } = await env.client.holdSeats({ eventId: event.id, seatIds }, { token });
    if (!hold) throw new Error("no hold");
    return { event, token, hold };
  }

  it("reads any hold for ordering with ReadHold (internal), whoever's it is; an unknown one is NOT_FOUND", async () => {
    const { hold, event } = await holdOne("reader");
    const read = await env.internal.readHold({ holdId: hold.id });
    expect(read.hold).to.deep.include({ id: hold.id, userId: testId("reader"), eventId: event.id });
    expect(read.hold?.seatIds).to.deep.equal(["stalls:D-1"]);
    const unknown = `${event.id}.${randomUUID()}`;
    expect((await failureOf(env.internal.readHold({ holdId: unknown }))).code).to.equal(Code.NotFound);
    const asBuyer = env.internal.readHold({ holdId: hold.id }, { token: await customerToken(testId("reader")) });
    expect((await failureOf(asBuyer)).code).to.equal(Code.PermissionDenied);
  });

  it("shows a hold to its buyer only; another user's hold is NOT_FOUND for get, extend and release", async () => {
    const { hold, token } = await holdOne("owner");
    expect((await env.client.getHold({ holdId: hold.id }, { token })).hold?.seatIds).to.deep.equal(["stalls:D-1"]);
    const stranger = await customerToken(testId("stranger"));
    for (const call of [
      env.client.getHold({ holdId: hold.id }, { token: stranger }),
      env.client.extendHold({ holdId: hold.id }, { token: stranger }),
      env.client.releaseHold({ holdId: hold.id }, { token: stranger }),
    ]) {
      expect((await failureOf(call)).code).to.equal(Code.NotFound);
    }
    expect((await env.client.getHold({ holdId: hold.id }, { token })).hold?.state).to.equal(HoldState.ACTIVE);
    for (const holdId of [`${randomUUID()}.${randomUUID()}`, `${hold.eventId}.${randomUUID()}`]) {
      const error = await failureOf(env.client.getHold({ holdId }, { token }));
      expect(error.code, holdId).to.equal(Code.NotFound);
      expect(error.rawMessage, holdId).to.match(/^hold /);
    }
  });

  it("refuses a hold id not in the form holds are given, in any other case too, as INVALID_ARGUMENT naming hold_id (issue #20)", async () => {
    const { hold, token } = await holdOne("spelling");
    const [eventPart = "", randomPart = ""] = hold.id.split(".");
    const malformed = [
      "no-such-hold",
      hold.id.toUpperCase(),
      `${eventPart.toUpperCase()}.${randomPart}`,
      `${eventPart}.${randomPart.toUpperCase()}`,
      eventPart,
      `${hold.id}.${randomPart}`,
      ` ${hold.id}`,
      `${eventPart}:${randomPart}`,
    ];
    for (const holdId of malformed) {
      for (const call of [
        env.client.getHold({ holdId }, { token }),
        env.client.extendHold({ holdId }, { token }),
        env.client.releaseHold({ holdId }, { token }),
        env.internal.commitHold({ holdId, orderId: testId("order-of-a-spelling") }),
      ]) {
        const error = await failureOf(call);
        expect(error.code, holdId).to.equal(Code.InvalidArgument);
        expect(badFields(error), holdId).to.deep.equal(["hold_id"]);
      }
    }
    const { hold: still } = await env.client.getHold({ holdId: hold.id }, { token });
    expect(still?.state).to.equal(HoldState.ACTIVE);
    expect(still?.extensionsLeft).to.equal(hold.extensionsLeft);
  });

  it("refuses an order id that is not a canonical UUID on CommitHold and ReleaseSold, naming order_id (issue #20)", async () => {
    const { event, hold } = await holdOne("orderer");
    const orderId = testId("order-of-the-orderer");
    for (const spelling of [orderId.toUpperCase(), orderId.replace(/[a-f]/, (c) => c.toUpperCase()), "order-1", ""]) {
      for (const call of [
        env.internal.commitHold({ holdId: hold.id, orderId: spelling }),
        env.internal.releaseSold({ eventId: event.id, orderId: spelling }),
      ]) {
        const error = await failureOf(call);
        expect(error.code, spelling).to.equal(Code.InvalidArgument);
        expect(badFields(error), spelling).to.deep.equal(["order_id"]);
      }
    }
    const { hold: committed } = await env.internal.commitHold({ holdId: hold.id, orderId });
    expect(committed?.orderId).to.equal(orderId);
  });

  it("extends by the hold duration up to the event's extensions, then refuses", async () => {
    const { hold, token } = await holdOne("extender");
    const { hold: extended } = await env.client.extendHold({ holdId: hold.id }, { token });
    expect(Number(extended?.expireTime?.seconds) - Number(hold.expireTime?.seconds)).to.equal(600);
    expect(extended?.extensionsLeft).to.equal(0);
    const error = await failureOf(env.client.extendHold({ holdId: hold.id }, { token }));
    expect(error.code).to.equal(Code.FailedPrecondition);
    expect(preconditions(error)[0]?.type).to.equal("NO_EXTENSIONS_LEFT");
  });

  it("never extends a hold on an event whose policy allows 0 extensions (HoldPolicy.max_extensions set to 0)", async () => {
    const event = await publish(env.catalog, hall, (venueId) => concertIn(venueId, { maxExtensions: 0 }));
    const token = await customerToken(testId("no-extension"));
    const { hold } = await env.client.holdSeats({ eventId: event.id, seatIds: ["stalls:D-2"] }, { token });
    expect(hold?.extensionsLeft).to.equal(0);
    const error = await failureOf(env.client.extendHold({ holdId: hold?.id ?? "" }, { token }));
    expect(preconditions(error)[0]?.type).to.equal("NO_EXTENSIONS_LEFT");
  });

  it("refuses to extend or commit an expired hold; the sweeper frees its seats and announces HoldExpired", async () => {
    const { event, hold, token } = await holdOne("sleepy");
    await expireNow(env.redis, event.id, hold.id);
    expect((await env.client.getHold({ holdId: hold.id }, { token })).hold?.state).to.equal(HoldState.EXPIRED);
    expect((await failureOf(env.client.extendHold({ holdId: hold.id }, { token }))).code).to.equal(
      Code.FailedPrecondition,
    );
    expect((await failureOf(env.internal.commitHold({ holdId: hold.id, orderId: testId("late") }))).code).to.equal(
      Code.FailedPrecondition,
    );
    const sweeper = startSweeper(env.inventory, { intervalMs: 20 });
    try {
      await waitFor("the sweeper to free the seat", async () => {
        const { sections } = await env.client.getAvailability({ eventId: event.id, sectionIds: ["stalls"] });
        return sections[0]?.held === 0;
      });
    } finally {
      await sweeper.stop();
    }
    expect(await outboxTypes(env.orm)).to.include("marquee.events.v1.HoldExpired");
    const again = await env.client.holdSeats(
      { eventId: event.id, seatIds: ["stalls:D-1"] },
      { token: await customerToken(testId("next")) },
    );
    expect(again.hold?.state).to.equal(HoldState.ACTIVE);
  });

  it("releases at once, and a second release answers the released hold unchanged", async () => {
    const { event, hold, token } = await holdOne("releaser");
    const { hold: released } = await env.client.releaseHold({ holdId: hold.id }, { token });
    expect(released?.state).to.equal(HoldState.RELEASED);
    expect((await env.client.releaseHold({ holdId: hold.id }, { token })).hold?.state).to.equal(HoldState.RELEASED);
    const { sections } = await env.client.getAvailability({ eventId: event.id, sectionIds: ["stalls"] });
    expect(sections[0]?.held).to.equal(0);
  });

  it("commits once per order: the same order again gets the first result, another order FAILED_PRECONDITION", async () => {
    const { event, hold, token } = await holdOne("payer", ["stalls:E-1", "stalls:E-2"]);
    const first = await env.internal.commitHold({ holdId: hold.id, orderId: testId("order-1") });
    expect(first.hold?.state).to.equal(HoldState.COMMITTED);
    expect(first.hold?.orderId).to.equal(testId("order-1"));
    const again = await env.internal.commitHold({ holdId: hold.id, orderId: testId("order-1") });
    expect(again.hold).to.deep.equal(first.hold);
    const other = await failureOf(env.internal.commitHold({ holdId: hold.id, orderId: testId("order-2") }));
    expect(other.code).to.equal(Code.FailedPrecondition);
    expect(await soldRows(env.orm, event.id)).to.deep.equal([
      { seat_index: 40, leg: 0, order_id: testId("order-1") },
      { seat_index: 41, leg: 0, order_id: testId("order-1") },
    ]);
    expect(await outboxTypes(env.orm)).to.include("marquee.events.v1.SeatsSold");
    const released = await failureOf(env.client.releaseHold({ holdId: hold.id }, { token }));
    expect(released.code).to.equal(Code.FailedPrecondition);
    const { sections } = await env.client.getAvailability({ eventId: event.id, sectionIds: ["stalls"] });
    expect(sections[0]).to.deep.include({ available: 48, held: 0, sold: 2 });
  });

  it("keeps CommitHold internal: a customer's token is PERMISSION_DENIED", async () => {
    const { hold } = await holdOne("sneaky");
    const internal = env.internal;
    const error = await failureOf(
      internal.commitHold(
        { holdId: hold.id, orderId: testId("free-seats") },
        { token: await customerToken(testId("sneaky")) },
      ),
    );
    expect(error.code).to.equal(Code.PermissionDenied);
  });
});

describe("a hold whose caller stopped waiting", () => {
  const env = useInventory();

  it("is never tried: DEADLINE_EXCEEDED before the hold script runs", async () => {
    const event = await publish(env.catalog, hall, concertIn);
    const seating = await env.inventory.seatings.get(event.id);
    const late = {
      method: InventoryService.method.holdSeats,
      principal: { subject: "late", kind: "user", roles: ["customer"], scopes: [], token: "", expiresAtMs: 0 },
      deadlineMs: Date.now() - 1,
      signal: AbortSignal.abort(),
      idempotencyKey: undefined,
      headers: new Map(),
      log: logger,
    } satisfies CallContext;
    let tried = false;
    const error = await failureOf(
      env.inventory.hold(seating, late, async () => {
        tried = true;
        throw new Error("the hold script ran");
      }),
    );
    expect(error.code).to.equal(Code.DeadlineExceeded);
    expect(tried).to.equal(false);
  });
});
