import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Checker, MAX_LEGS } from "@marquee/mesh";
import { TripStopSchema } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { checkStops, routeTimes, stopIdsOf, stopLimits } from "../../src/domain/stops.js";
import { at, route } from "../support/fixtures.js";

function violationsOf(stops: readonly MessageInitShape<typeof TripStopSchema>[]) {
  const check = new Checker();
  checkStops(
    stops.map((stop) => create(TripStopSchema, stop)),
    check,
    "event.stops",
  );
  return check.violations.map((v) => v.field);
}

describe("stopIdsOf", () => {
  it("keeps given ids and numbers the others stop-1, stop-2… by position", () => {
    expect(stopIdsOf([{ id: "" }, { id: "jessore" }, { id: "" }])).to.deep.equal(["stop-1", "jessore", "stop-3"]);
  });
});

describe("checkStops", () => {
  it("accepts a route strictly ordered in time", () => {
    expect(violationsOf(route())).to.deep.equal([]);
  });

  it("refuses more stops than inventory can sell, 33 (32 legs), naming event.stops", () => {
    const line = (count: number): MessageInitShape<typeof TripStopSchema>[] =>
      Array.from({ length: count }, (_, i) => ({
        id: `halt-${i}`,
        name: `Halt ${i}`,
        city: "Rajshahi",
        ...(i > 0 ? { arrivalTime: at(20, i) } : {}),
        ...(i < count - 1 ? { departureTime: at(20, i + 0.5) } : {}),
      }));
    expect(stopLimits.maxStops).to.equal(MAX_LEGS + 1);
    expect(violationsOf(line(33))).to.deep.equal([]);
    expect(violationsOf(line(34))).to.deep.equal(["event.stops"]);
  });

  it("needs at least two stops", () => {
    expect(violationsOf(route().slice(0, 1))).to.deep.equal(["event.stops"]);
  });

  it("reports a stop reached before the previous one is left, on its arrival time", () => {
    const stops = route();
    stops[2] = { ...stops[2], arrivalTime: at(20, 2) } as (typeof stops)[number];
    expect(violationsOf(stops)).to.deep.equal(["event.stops[2].arrival_time"]);
  });

  it("reports a departure before the arrival at the same stop", () => {
    const stops = route();
    stops[1] = { ...stops[1], departureTime: at(20, 2.5) } as (typeof stops)[number];
    expect(violationsOf(stops)).to.deep.equal(["event.stops[1].departure_time"]);
  });

  it("reports arrivals at the same time as the previous departure as out of order", () => {
    const stops = route();
    stops[1] = { ...stops[1], arrivalTime: stops[0]?.departureTime } as (typeof stops)[number];
    expect(violationsOf(stops)).to.deep.equal(["event.stops[1].arrival_time"]);
  });

  it("needs a departure from every stop but the last and an arrival at every stop but the first", () => {
    const stops = route().map(({ arrivalTime: _a, departureTime: _d, ...stop }) => stop);
    expect(violationsOf(stops as ReturnType<typeof route>)).to.deep.equal([
      "event.stops[0].departure_time",
      "event.stops[1].arrival_time",
      "event.stops[1].departure_time",
      "event.stops[2].arrival_time",
      "event.stops[2].departure_time",
      "event.stops[3].arrival_time",
    ]);
  });

  it("reports missing names and cities, malformed and repeated ids", () => {
    const stops = route();
    stops[0] = { ...stops[0], name: "", city: "" } as (typeof stops)[number];
    stops[1] = { ...stops[1], id: "has space" } as (typeof stops)[number];
    stops[3] = { ...stops[3], id: "dhaka" } as (typeof stops)[number];
    expect(violationsOf(stops)).to.deep.equal([
      "event.stops[0].name",
      "event.stops[0].city",
      "event.stops[1].id",
      "event.stops[3].id",
    ]);
  });

  it("takes stop ids in lower case only, so a stop has one spelling (issue #20)", () => {
    for (const id of ["Faridpur", "FARIDPUR", "fariDpur"]) {
      const stops = route();
      stops[1] = { ...stops[1], id } as (typeof stops)[number];
      expect(violationsOf(stops), id).to.deep.equal(["event.stops[1].id"]);
    }
    const stops = route();
    stops[1] = { ...stops[1], id: "faridpur_2-b" } as (typeof stops)[number];
    expect(violationsOf(stops)).to.deep.equal([]);
  });
});

describe("routeTimes", () => {
  it("is the departure from the first stop and the arrival at the last", () => {
    const stops = route().map((stop) => create(TripStopSchema, stop));
    const { start, end } = routeTimes(stops);
    expect(start).to.deep.equal(stops[0]?.departureTime);
    expect(end).to.deep.equal(stops[3]?.arrivalTime);
  });
});
