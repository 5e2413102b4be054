import { expect } from "chai";
import { legMaskAt } from "../../src/domain/availability.js";
import { legMask, legsOfMask, rangeOfMask, seatWidthOf } from "../../src/domain/legs.js";

describe("legs", () => {
  it("turn a leg range into a bit mask and back", () => {
    expect(legMask(0, 2)).to.equal(0b0011);
    expect(legMask(2, 4)).to.equal(0b1100);
    expect(legMask(1, 3)).to.equal(0b0110);
    expect(legsOfMask(0b0110)).to.deep.equal([1, 2]);
    expect(rangeOfMask(0b1100)).to.deep.equal({ fromLeg: 2, toLeg: 4 });
  });

  it("keep masks up to 32 legs unsigned, leg 31 included", () => {
    expect(legMask(0, 32)).to.equal(2 ** 32 - 1);
    expect(legMask(31, 32)).to.equal(2 ** 31);
    expect(legMask(8, 16)).to.equal(0xff00);
    expect(legsOfMask(legMask(29, 32))).to.deep.equal([29, 30, 31]);
    expect(rangeOfMask(legMask(0, 32))).to.deep.equal({ fromLeg: 0, toLeg: 32 });
    expect(rangeOfMask(legMask(31, 32))).to.deep.equal({ fromLeg: 31, toLeg: 32 });
  });

  it("refuse a range beyond 32 legs or an empty one", () => {
    expect(() => legMask(0, 33)).to.throw(RangeError);
    expect(() => legMask(2, 2)).to.throw(RangeError);
  });

  it("give a seat 1 byte up to 8 legs, 2 up to 16 and 4 up to 32, and refuse more", () => {
    expect([1, 8, 9, 16, 17, 32].map(seatWidthOf)).to.deep.equal([1, 1, 2, 2, 4, 4]);
    expect(() => seatWidthOf(33)).to.throw(RangeError);
    expect(() => seatWidthOf(0)).to.throw(RangeError);
  });

  it("read a seat's mask from its little-endian bytes at any width", () => {
    const bytes = Uint8Array.from([0x01, 0x80, 0xff, 0x00, 0x00, 0x80]);
    expect(legMaskAt(bytes, 1, 1)).to.equal(0x80);
    expect(legMaskAt(bytes, 2, 0)).to.equal(0x8001);
    expect(legMaskAt(bytes, 2, 1)).to.equal(0x00ff);
    expect(legMaskAt(bytes, 4, 1)).to.equal(0x8000);
    expect(legMaskAt(Uint8Array.from([0, 0, 0, 0x80]), 4, 0)).to.equal(2 ** 31);
    expect(legMaskAt(bytes, 2, 9)).to.equal(0);
  });
});
