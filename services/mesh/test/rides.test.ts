import { create } from "@bufbuild/protobuf";
import { RideSchema } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import { expect } from "chai";
import { checkRide, isLegRange, legCountOf, legsOfRide, MAX_LEGS, resolveRide, rideOfLegs } from "../src/rides.js";
import { Checker } from "../src/validate.js";

const coach = ["dhaka", "faridpur", "jessore", "benapole", "kolkata"];
const ride = (boardingStopId: string, alightingStopId: string) =>
  create(RideSchema, { boardingStopId, alightingStopId });

/** The fields `legsOfRide` names, or the legs it resolved. */
function resolve(stopIds: readonly string[], value: ReturnType<typeof ride> | undefined) {
  const legs = legsOfRide(stopIds, value);
  return isLegRange(legs) ? legs : legs.map((violation) => violation.field);
}

describe("rides", () => {
  it("count one leg for an event and one fewer than the stops for a trip", () => {
    expect(legCountOf([])).to.equal(1);
    expect(legCountOf(coach)).to.equal(4);
    expect(MAX_LEGS).to.equal(32);
  });

  it("resolve an omitted ride to the whole route, an event's only leg included", () => {
    expect(resolve(coach, undefined)).to.deep.equal({ fromLeg: 0, toLeg: 4 });
    expect(resolve([], undefined)).to.deep.equal({ fromLeg: 0, toLeg: 1 });
  });

  it("resolve a ride to the legs between its boarding and alighting stops", () => {
    expect(resolve(coach, ride("dhaka", "jessore"))).to.deep.equal({ fromLeg: 0, toLeg: 2 });
    expect(resolve(coach, ride("faridpur", "benapole"))).to.deep.equal({ fromLeg: 1, toLeg: 3 });
    expect(resolve(coach, ride("dhaka", "kolkata"))).to.deep.equal({ fromLeg: 0, toLeg: 4 });
  });

  it("refuse a present ride with an empty or blank stop, naming each, on a trip and on an event", () => {
    expect(resolve(coach, ride("", ""))).to.deep.equal(["ride.boarding_stop_id", "ride.alighting_stop_id"]);
    expect(resolve(coach, ride("jessore", " "))).to.deep.equal(["ride.alighting_stop_id"]);
    expect(resolve(coach, ride("", "jessore"))).to.deep.equal(["ride.boarding_stop_id"]);
    expect(resolve([], ride("", ""))).to.deep.equal(["ride.boarding_stop_id", "ride.alighting_stop_id"]);
  });

  it("refuse a ride on an event, an unknown stop and alighting not after boarding, naming the field", () => {
    expect(resolve([], ride("dhaka", "kolkata"))).to.deep.equal(["ride"]);
    expect(resolve(coach, ride("sylhet", "kolkata"))).to.deep.equal(["ride.boarding_stop_id"]);
    expect(resolve(coach, ride("sylhet", "chittagong"))).to.deep.equal([
      "ride.boarding_stop_id",
      "ride.alighting_stop_id",
    ]);
    expect(resolve(coach, ride("jessore", "faridpur"))).to.deep.equal(["ride.alighting_stop_id"]);
    expect(resolve(coach, ride("jessore", "jessore"))).to.deep.equal(["ride.alighting_stop_id"]);
  });

  it("name the fields under the ride's path when it is nested", () => {
    const legs = legsOfRide(coach, ride("", "kolkata"), "items[2].ride");
    expect(isLegRange(legs) ? legs : legs.map((v) => v.field)).to.deep.equal(["items[2].ride.boarding_stop_id"]);
  });

  it("check a request's ride as a validator does: omitted or both stops named", () => {
    const check = new Checker();
    expect(checkRide(check, undefined)).to.equal(true);
    expect(checkRide(check, ride("dhaka", "sylhet"))).to.equal(true);
    expect(check.violations).to.deep.equal([]);
    expect(checkRide(check, ride("", ""))).to.equal(false);
    expect(check.violations.map((v) => v.field)).to.deep.equal(["ride.boarding_stop_id", "ride.alighting_stop_id"]);
  });

  it("resolve a ride onto a handler's Checker, with the request's other violations", () => {
    const check = new Checker();
    check.that("seat_ids[0]", false, "is not a seat of the event");
    expect(resolveRide(check, coach, ride("jessore", "dhaka"))).to.equal(undefined);
    expect(check.violations.map((v) => v.field)).to.deep.equal(["seat_ids[0]", "ride.alighting_stop_id"]);
    expect(resolveRide(new Checker(), coach, undefined)).to.deep.equal({ fromLeg: 0, toLeg: 4 });
  });

  it("show a leg range as the ride of its stops, and no ride on an event", () => {
    expect(rideOfLegs(coach, { fromLeg: 1, toLeg: 3 })).to.deep.equal({
      boardingStopId: "faridpur",
      alightingStopId: "benapole",
    });
    expect(rideOfLegs([], { fromLeg: 0, toLeg: 1 })).to.equal(undefined);
  });
});
