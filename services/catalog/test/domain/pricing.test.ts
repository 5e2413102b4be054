import { create } from "@bufbuild/protobuf";
import { FareSchema, PriceTierSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { FareTable, lowestPrice, seatClassesToPrice, tierFor } from "../../src/domain/pricing.js";

const tiers = [
  create(PriceTierSchema, { id: "premium", price: { amountMinor: 900n }, seatClasses: ["premium"] }),
  create(PriceTierSchema, { id: "floor", price: { amountMinor: 100n }, sectionIds: ["floor"] }),
  create(PriceTierSchema, { id: "box", price: { amountMinor: 700n }, sectionIds: ["box"] }),
  create(PriceTierSchema, { id: "standard", price: { amountMinor: 300n }, seatClasses: ["standard"] }),
];

const fare = (boardingStopId: string, alightingStopId: string, amount: number, seatClass = "") =>
  create(FareSchema, { boardingStopId, alightingStopId, seatClass, price: { amountMinor: BigInt(amount) } });

const stops = ["dhaka", "faridpur", "jessore", "kolkata"];

describe("tierFor", () => {
  it("prices a seat by the tier naming its section before the tier naming its class", () => {
    expect(tierFor(tiers, "box", "premium")?.id).to.equal("box");
  });

  it("falls back to the tier naming the seat's class", () => {
    expect(tierFor(tiers, "bowl", "premium")?.id).to.equal("premium");
    expect(tierFor(tiers, "bowl", "standard")?.id).to.equal("standard");
  });

  it("prices general admission by section only", () => {
    expect(tierFor(tiers, "floor", undefined)?.id).to.equal("floor");
    expect(tierFor(tiers, "standing", undefined)).to.equal(undefined);
  });

  it("leaves a seat no tier names unpriced", () => {
    expect(tierFor(tiers, "bowl", "wheelchair")).to.equal(undefined);
  });
});

describe("FareTable", () => {
  const legs = [fare("dhaka", "faridpur", 500), fare("faridpur", "jessore", 400), fare("jessore", "kolkata", 900)];

  it("prices a ride as the sum of its legs' fares", () => {
    const table = new FareTable(legs, stops);
    expect(table.price({ fromLeg: 0, toLeg: 2 }, "standard")).to.equal(900n);
    expect(table.price({ fromLeg: 0, toLeg: 3 }, "standard")).to.equal(1800n);
    expect(table.price({ fromLeg: 2, toLeg: 3 }, "standard")).to.equal(900n);
  });

  it("prices a ride by the fare naming exactly its two stops, when there is one", () => {
    const table = new FareTable([...legs, fare("dhaka", "kolkata", 1500)], stops);
    expect(table.price({ fromLeg: 0, toLeg: 3 }, "standard")).to.equal(1500n);
    expect(table.price({ fromLeg: 1, toLeg: 3 }, "standard")).to.equal(1300n);
  });

  it("takes a class's own fare before the class-less one, leg by leg", () => {
    const table = new FareTable([...legs, fare("faridpur", "jessore", 600, "business")], stops);
    expect(table.price({ fromLeg: 0, toLeg: 3 }, "business")).to.equal(2000n);
    expect(table.price({ fromLeg: 0, toLeg: 3 }, "standard")).to.equal(1800n);
  });

  it("takes a class's own fare for the whole ride before a class-less one", () => {
    const table = new FareTable(
      [...legs, fare("dhaka", "kolkata", 1500), fare("dhaka", "kolkata", 2500, "business")],
      stops,
    );
    expect(table.price({ fromLeg: 0, toLeg: 3 }, "business")).to.equal(2500n);
    expect(table.price({ fromLeg: 0, toLeg: 3 }, "standard")).to.equal(1500n);
  });

  it("leaves a ride unpriced when one of its legs has no fare", () => {
    const table = new FareTable(
      [legs[0], legs[2]].filter((f) => f !== undefined),
      stops,
    );
    expect(table.price({ fromLeg: 0, toLeg: 3 }, "standard")).to.equal(undefined);
    expect(table.price({ fromLeg: 0, toLeg: 1 }, "standard")).to.equal(500n);
  });

  it("prices general admission by class-less fares only", () => {
    const table = new FareTable([fare("dhaka", "faridpur", 500, "standard")], stops);
    expect(table.price({ fromLeg: 0, toLeg: 1 }, "")).to.equal(undefined);
  });
});

describe("lowestPrice", () => {
  it("is an event's cheapest tier", () => {
    expect(lowestPrice({ isTrip: false, priceTiers: tiers, fares: [], stopIds: [] }, ["standard"])).to.equal(100n);
  });

  it("is a trip's cheapest ride over every pair of stops and seat class", () => {
    const fares = [fare("dhaka", "faridpur", 500), fare("faridpur", "jessore", 400), fare("jessore", "kolkata", 900)];
    expect(lowestPrice({ isTrip: true, priceTiers: [], fares, stopIds: stops }, ["standard"])).to.equal(400n);
  });

  it("is undefined when nothing is priced", () => {
    expect(lowestPrice({ isTrip: false, priceTiers: [], fares: [], stopIds: [] }, ["standard"])).to.equal(undefined);
  });
});

describe("seatClassesToPrice", () => {
  it("lists the seat classes of a map once, sorted, with '' standing for general admission", () => {
    const sections = [
      { id: "a", isGeneralAdmission: false, seatClasses: ["standard", "premium"] },
      { id: "b", isGeneralAdmission: false, seatClasses: ["standard"] },
      { id: "floor", isGeneralAdmission: true, seatClasses: [] },
    ];
    expect(seatClassesToPrice(sections)).to.deep.equal(["", "premium", "standard"]);
  });
});
