import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@marquee/mesh";
import { badFields, customerToken, failureOf, testId } from "@marquee/mesh/testing";
import type { VenueSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { type GetAvailabilityResponse, SeatState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { expect } from "chai";
import { coach, concertIn, publish, ride, tripOn, useInventory } from "../support/inventory.js";

/** Three stands of 40 rows of 100 seats, 12,000 seats, and a standing pit of 500: more than two pages. */
const ground: MessageInitShape<typeof VenueSchema> = {
  name: "Sher-e-Bangla Ground",
  city: "Dhaka",
  countryCode: "BD",
  timeZone: "Asia/Dhaka",
  sections: [
    ...["north", "east", "south"].map((id, i) => ({
      id,
      name: `${id} stand`,
      layout: {
        case: "seated" as const,
        value: { generator: { rowCount: 40, seatsPerRow: 100, originY: i * 42, seatClass: "standard" } },
      },
    })),
    { id: "pit", name: "Pit", layout: { case: "generalAdmission" as const, value: { capacity: 500 } } },
  ],
};

describe("InventoryService.GetAvailability, paged", () => {
  const env = useInventory();
  let eventId = "";

  before(async function () {
    this.timeout(60_000);
    eventId = (await publish(env.catalog, ground, concertIn)).id;
    const token = await customerToken(testId("buyer"));
    await env.client.holdSeats({ eventId, seatIds: ["north:A-1", "east:AN-100", "south:T-50"] }, { token });
  });

  /** Every page of an answer, from the first on. */
  async function pages(request: { sectionIds?: string[]; pageSize?: number }): Promise<GetAvailabilityResponse[]> {
    const answers: GetAvailabilityResponse[] = [];
    let pageToken = "";
    do {
      const answer = await env.client.getAvailability({ eventId, includeSeats: true, ...request, pageToken });
      answers.push(answer);
      pageToken = answer.nextPageToken;
    } while (pageToken !== "");
    return answers;
  }

  it("lists the seats' states 5,000 a page by default, in map order, each once, with the whole counts on every page", async () => {
    const answers = await pages({});
    expect(answers.map((answer) => answer.seats.length)).to.deep.equal([5000, 5000, 2000]);
    const seats = answers.flatMap((answer) => answer.seats);
    expect(new Set(seats.map((seat) => seat.seatId)).size).to.equal(12_000);
    expect([seats[0]?.seatId, seats[4000]?.seatId, seats.at(-1)?.seatId]).to.deep.equal([
      "north:A-1",
      "east:A-1",
      "south:AN-100",
    ]);
    expect(seats.filter((seat) => seat.state === SeatState.HELD).map((seat) => seat.seatId)).to.deep.equal([
      "north:A-1",
      "east:AN-100",
      "south:T-50",
    ]);
    for (const answer of answers) {
      expect(answer.sections.map((s) => [s.sectionId, s.capacity, s.held])).to.deep.equal([
        ["north", 4000, 1],
        ["east", 4000, 1],
        ["south", 4000, 1],
        ["pit", 500, 0],
      ]);
    }
  });

  it("pages the chosen sections only, at the page size asked, and clamps it to 20,000", async () => {
    const east = await pages({ sectionIds: ["east", "pit"], pageSize: 1500 });
    expect(east.map((answer) => answer.seats.length)).to.deep.equal([1500, 1500, 1000]);
    expect(east.flatMap((answer) => answer.seats).every((seat) => seat.seatId.startsWith("east:"))).to.equal(true);
    expect(east[0]?.sections.map((s) => s.sectionId)).to.deep.equal(["east", "pit"]);
    const all = await pages({ pageSize: 1_000_000 });
    expect(all.map((answer) => answer.seats.length)).to.deep.equal([12_000]);
  });

  it("lists no seats and returns no token without include_seats", async () => {
    const answer = await env.client.getAvailability({ eventId, pageSize: 10 });
    expect(answer.seats).to.deep.equal([]);
    expect(answer.nextPageToken).to.equal("");
    expect(answer.sections).to.have.length(4);
  });

  it("refuses a page token asked with other sections or without include_seats, and a negative page size", async () => {
    const first = await env.client.getAvailability({ eventId, includeSeats: true, pageSize: 10 });
    for (const other of [
      { sectionIds: ["north"] },
      { includeSeats: false },
      { eventId: (await publish(env.catalog, ground, concertIn)).id },
    ]) {
      const error = await failureOf(
        env.client.getAvailability({ eventId, includeSeats: true, pageToken: first.nextPageToken, ...other }),
      );
      expect(error.code, JSON.stringify(other)).to.equal(Code.InvalidArgument);
      expect(badFields(error)).to.deep.equal(["page_token"]);
    }
    const negative = await failureOf(env.client.getAvailability({ eventId, includeSeats: true, pageSize: -1 }));
    expect(badFields(negative)).to.deep.equal(["page_size"]);
  });

  it("ties a trip's page token to its ride", async () => {
    const tripId = (await publish(env.catalog, coach, tripOn)).id;
    const first = await env.client.getAvailability({
      eventId: tripId,
      ride: ride("dhaka", "jessore"),
      includeSeats: true,
      pageSize: 16,
    });
    const next = await env.client.getAvailability({
      eventId: tripId,
      ride: ride("dhaka", "jessore"),
      includeSeats: true,
      pageSize: 16,
      pageToken: first.nextPageToken,
    });
    expect([first.seats.length, next.seats.length]).to.deep.equal([16, 16]);
    const error = await failureOf(
      env.client.getAvailability({
        eventId: tripId,
        ride: ride("jessore", "kolkata"),
        includeSeats: true,
        pageToken: first.nextPageToken,
      }),
    );
    expect(badFields(error)).to.deep.equal(["page_token"]);
  });
});
