import { expect } from "chai";
import { isRideError, legCountOf, legMask, legsOfMask, legsOfRide, rangeOfMask } from "../../src/domain/legs.js";

const coach = ["dhaka", "faridpur", "jessore", "benapole", "kolkata"];

describe("legs", () => {
  it("count one leg for an event and stops minus one for a trip", () => {
    expect(legCountOf([])).to.equal(1);
    expect(legCountOf(coach)).to.equal(4);
  });

  it("resolve an omitted ride to the whole route", () => {
    expect(legsOfRide(coach)).to.deep.equal({ fromLeg: 0, toLeg: 4 });
    expect(legsOfRide([])).to.deep.equal({ fromLeg: 0, toLeg: 1 });
  });

  it("resolve a ride to the legs between its boarding and alighting stops", () => {
    expect(legsOfRide(coach, "dhaka", "jessore")).to.deep.equal({ fromLeg: 0, toLeg: 2 });
    expect(legsOfRide(coach, "faridpur", "benapole")).to.deep.equal({ fromLeg: 1, toLeg: 3 });
  });

  it("return an error naming the field for an unknown stop, a backwards ride or a ride on an event", () => {
    const unknown = legsOfRide(coach, "sylhet", "kolkata");
    expect(isRideError(unknown) && unknown.field).to.equal("ride.boarding_stop_id");
    const backwards = legsOfRide(coach, "jessore", "faridpur");
    expect(isRideError(backwards) && backwards.field).to.equal("ride.alighting_stop_id");
    const onEvent = legsOfRide([], "a", "b");
    expect(isRideError(onEvent) && onEvent.field).to.equal("ride");
  });

  it("turn a leg range into a bit mask and back", () => {
    expect(legMask(0, 2)).to.equal(0b0011);
    expect(legMask(2, 4)).to.equal(0b1100);
    expect(legMask(1, 3)).to.equal(0b0110);
    expect(legsOfMask(0b0110)).to.deep.equal([1, 2]);
    expect(rangeOfMask(0b1100)).to.deep.equal({ fromLeg: 2, toLeg: 4 });
  });

  it("refuse a range beyond eight legs or an empty one", () => {
    expect(() => legMask(0, 9)).to.throw(RangeError);
    expect(() => legMask(2, 2)).to.throw(RangeError);
  });
});
