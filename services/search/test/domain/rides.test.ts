import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { FareSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { legMaskOf, lowestFare, ridesOf } from "../../src/domain/rides.js";
import { fold, keyOf } from "../../src/domain/text.js";

const fare = (boardingStopId: string, alightingStopId: string, major: number, seatClass = "") =>
  create(FareSchema, {
    boardingStopId,
    alightingStopId,
    seatClass,
    price: { currencyCode: "BDT", amountMinor: BigInt(major * 100) },
  });

// Two stops in Dhaka, as coaches leave from one terminal and call at another.
const stops = [
  { id: "gabtoli", name: "Gabtoli", city: "Dhaka", departureTime: "2027-01-01T06:00:00.000Z" },
  { id: "sayedabad", name: "Sayedabad", city: "Dhaka", departureTime: "2027-01-01T06:45:00.000Z" },
  { id: "jessore", name: "Jessore", city: "Jessore", departureTime: "2027-01-01T11:00:00.000Z" },
  { id: "kolkata", name: "Esplanade", city: "Kolkata" },
];
const legFares = [
  fare("gabtoli", "sayedabad", 100),
  fare("sayedabad", "jessore", 700),
  fare("jessore", "kolkata", 1200),
];

describe("ridesOf", () => {
  it("gives one ride per ordered pair of cities, from the first stop in one to the last in the other", () => {
    const rides = ridesOf(stops, legFares);
    assert.deepEqual(
      rides.map((ride) => [ride.boardingCityKey, ride.alightingCityKey, ride.fromIndex, ride.toIndex]),
      [
        ["dhaka", "kolkata", 0, 3],
        ["dhaka", "jessore", 0, 2],
        ["jessore", "kolkata", 2, 3],
      ],
    );
    assert.equal(rides[2]?.legMask, 0b100);
    assert.equal(rides[2]?.departureTime, "2027-01-01T11:00:00.000Z");
    assert.equal(rides[0]?.lowestPriceMinor, 200_000n, "the sum of the three legs");
  });

  it("leaves out a ride no fare prices", () => {
    assert.deepEqual(
      ridesOf(stops, [fare("jessore", "kolkata", 1200)]).map((ride) => ride.boardingCityKey),
      ["jessore"],
    );
  });
});

describe("lowestFare", () => {
  it("takes a fare naming both stops over the legs' sum, a class's own fare over a class-less one", () => {
    const fares = [...legFares, fare("gabtoli", "kolkata", 1500), fare("jessore", "kolkata", 900, "business")];
    assert.equal(lowestFare(stops, fares, 0, 3), 150_000n);
    assert.equal(lowestFare(stops, fares, 2, 3), 90_000n, "the business class is cheaper on this leg");
    assert.equal(lowestFare(stops, fares, 1, 3), 160_000n);
  });
});

describe("legMaskOf and the text folding", () => {
  it("sets the bits of legs [from, to), up to the 32nd leg unsigned", () => {
    assert.equal(legMaskOf(1, 3), 0b110);
    assert.equal(legMaskOf(0, 32), 0xffff_ffff);
  });

  it("folds case and accents and splits words", () => {
    assert.equal(fold("Música ÉTÉ"), "musica ete");
    assert.equal(keyOf("  Cox's   Bazar—Beach "), "cox s bazar beach");
  });
});
