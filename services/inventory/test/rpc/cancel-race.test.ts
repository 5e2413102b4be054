import { performance } from "node:perf_hooks";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@marquee/mesh";
import { customerToken, organizerToken, preconditions, testId, testUserIds, waitFor } from "@marquee/mesh/testing";
import type { EventSchema, VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { concertIn, publish, useInventory } from "../support/inventory.js";

/** A floor of 40 rows of 50 "standard" seats: 2,000 seats, more than the race below can take. */
const bigHall: MessageInitShape<typeof VenueSchema> = {
  name: "Bangabandhu Stadium",
  city: "Dhaka",
  countryCode: "BD",
  timeZone: "Asia/Dhaka",
  sections: [
    {
      id: "floor",
      name: "Floor",
      layout: { case: "seated", value: { generator: { rowCount: 40, seatsPerRow: 50, seatClass: "standard" } } },
    },
  ],
};

/** A concert on `bigHall`, one price for every seat, 50 seats a buyer. */
function bigShow(venueId: string): MessageInitShape<typeof EventSchema> {
  const concert = concertIn(venueId, { maxSeatsPerUser: 50 }) as Extract<
    MessageInitShape<typeof EventSchema>,
    { $typeName?: undefined }
  >;
  return {
    ...concert,
    priceTiers: [{ id: "standard", name: "Standard", price: { amountMinor: 200_000n }, seatClasses: ["standard"] }],
  };
}

/** One call of the race: when it was sent (performance.now()), and how it ended. */
interface Attempt {
  readonly kind: "hold" | "commit";
  readonly sentAt: number;
  readonly error?: ConnectError;
}

const buyers = 200;

describe("a cancellation racing buyers (issue #20, a cancelled event keeps selling)", () => {
  // Seat maps revalidated as in production: the inventory's cached map may not know of the cancellation.
  const env = useInventory(undefined, { SEATING_REVALIDATE_MS: "15000" });

  it("grants no hold and commits no hold once CancelEvent has answered, and the ledger has no later sale", async function () {
    this.timeout(120_000);
    const event = await publish(env.catalog, bigHall, bigShow);
    const { seats } = await env.client.getAvailability({ eventId: event.id, includeSeats: true });
    const pool = seats.map((seat) => seat.seatId);
    expect(pool).to.have.length(2000);

    const attempts: Attempt[] = [];
    const committed: string[] = [];
    let granted = 0;
    let answeredAt: number | undefined;
    let answeredAtMs = 0;
    const attempt = async <T>(kind: Attempt["kind"], call: () => Promise<T>): Promise<T | undefined> => {
      const sentAt = performance.now();
      try {
        const value = await call();
        attempts.push({ kind, sentAt });
        return value;
      } catch (error) {
        attempts.push({ kind, sentAt, error: ConnectError.from(error) });
        return undefined;
      }
    };
    const after = (sentAt: number) => answeredAt !== undefined && sentAt > answeredAt;

    // Each buyer holds a seat and commits it, over and over. Its first hold it keeps, to commit only once
    // the cancellation has answered (a checkout that was slow to pay); it stops once it has sent a hold
    // and that commit after the answer.
    const buyer = async (index: number) => {
      const token = await customerToken(testId(`racer-${index}`));
      let kept: string | undefined;
      let keptOne = false;
      let round = 0;
      for (let holdAfter = false; !holdAfter || kept !== undefined; round++) {
        if (kept !== undefined && answeredAt !== undefined) {
          const holdId = kept;
          kept = undefined;
          const done = await attempt("commit", () =>
            env.internal.commitHold({ holdId, orderId: testId(`kept-${index}`) }),
          );
          if (done) committed.push(holdId);
          continue;
        }
        const seatId = pool.pop();
        if (seatId === undefined) throw new Error("the race ran out of seats");
        const sentAt = performance.now();
        const held = await attempt("hold", () =>
          env.client.holdSeats({ eventId: event.id, seatIds: [seatId] }, { token }),
        );
        holdAfter ||= after(sentAt);
        const holdId = held?.hold?.id;
        if (holdId === undefined) continue;
        granted++;
        if (!keptOne) {
          kept = holdId;
          keptOne = true;
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, index % 5));
        const done = await attempt("commit", () =>
          env.internal.commitHold({ holdId, orderId: testId(`order-${index}-${round}`) }),
        );
        if (done) committed.push(holdId);
      }
    };
    const organizer = async () => {
      // Under way: every buyer holds, and sales are being made.
      await waitFor("the race to be under way", () => granted >= buyers && committed.length >= 100, {
        timeoutMs: 60_000,
        intervalMs: 2,
      });
      const token = await organizerToken(testUserIds.organizer);
      await env.catalog.client.cancelEvent({ eventId: event.id, reason: "Storm warning" }, { token });
      answeredAt = performance.now();
      answeredAtMs = Date.now();
    };
    await Promise.all([organizer(), ...Array.from({ length: buyers }, (_, index) => buyer(index))]);

    const late = attempts.filter((a) => after(a.sentAt));
    expect(late.filter((a) => a.kind === "hold")).to.have.length.of.at.least(buyers);
    expect(late.filter((a) => a.kind === "commit")).to.have.length.of.at.least(buyers);
    const lateSuccesses = late.filter((a) => a.error === undefined).map((a) => a.kind);
    expect(lateSuccesses, "holds granted and commits made for calls sent after CancelEvent answered").to.deep.equal([]);
    // Before the answer some calls went through and some were already refused; every refusal says why.
    const refusals = attempts.filter((a) => a.error !== undefined);
    const reasons = new Set(
      refusals.map(
        (a) => `${Code[a.error?.code ?? Code.Unknown]} ${JSON.stringify(preconditions(a.error as ConnectError))}`,
      ),
    );
    expect([...reasons]).to.deep.equal([
      `${Code[Code.FailedPrecondition]} ${JSON.stringify([{ type: "EVENT_CANCELLED", subject: `event:${event.id}` }])}`,
    ]);

    const ledger = await env.orm.em
      .fork()
      .execute<{ hold_id: string; late: boolean }[]>(
        "select hold_id, sold_at > to_timestamp(?::float8 / 1000) as late from sold_seat where event_id = ?",
        [answeredAtMs, event.id],
      );
    expect(
      ledger.filter((row) => row.late).map((row) => row.hold_id),
      "sales dated after the answer",
    ).to.deep.equal([]);
    expect(ledger.map((row) => row.hold_id).sort()).to.deep.equal([...committed].sort());
    expect(committed.length, "sales before the cancellation").to.be.greaterThan(0);
    // Holds alive at the cancellation were released with it: nothing is held, only what was sold is sold.
    const { seats: states } = await env.client.getAvailability({ eventId: event.id, includeSeats: true });
    expect(states.filter((seat) => seat.state === SeatState.HELD)).to.deep.equal([]);
    expect(states.filter((seat) => seat.state === SeatState.SOLD)).to.have.length(committed.length);
  });
});
