import { durationFromMs, durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { createClient } from "@marquee/mesh";
import { adminToken, organizerToken } from "@marquee/mesh/testing";
import { CatalogInternalService } from "@marquee/proto/marquee/catalog/v1/catalog_internal_pb.js";
import { EventKind, EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { Code, failureOf } from "../support/errors.js";
import { arena, at, coach, coachTrip, concert } from "../support/fixtures.js";

describe("CatalogInternalService.GetHoldPolicy", () => {
  const catalog = useCatalog();

  it("gives a published event's hold policy with its defaults: 8 seats, 10 minutes, 1 extension", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert);
    const policy = await catalog.internal.getHoldPolicy({ eventId: event.id });
    expect(policy).to.include({
      eventId: event.id,
      kind: EventKind.EVENT,
      state: EventState.PUBLISHED,
      seatCount: 204,
    });
    expect(policy.holdPolicy?.maxSeatsPerUser).to.equal(8);
    expect(durationMs(policy.holdPolicy?.holdDuration ?? durationFromMs(0))).to.equal(600_000);
    expect(policy.holdPolicy?.maxExtensions).to.equal(1);
    expect(policy.stopIds).to.deep.equal([]);
    expect(policy.generalAdmission.map(({ sectionId, capacity }) => ({ sectionId, capacity }))).to.deep.equal([
      { sectionId: "floor", capacity: 500 },
    ]);
    expect(policy.version).to.equal(1n);
    expect(timestampMs(policy.salesStartTime ?? at(0))).to.equal(timestampMs(event.publishTime ?? at(0)));
    expect(timestampMs(policy.salesEndTime ?? at(0))).to.equal(timestampMs(event.startTime ?? at(0)));
  });

  it("gives a trip's own policy, sales window and stops in route order", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), coach(), (v) =>
      coachTrip(v, {
        holdPolicy: { maxSeatsPerUser: 4, holdDuration: durationFromMs(300_000), maxExtensions: 3 },
        salesStartTime: at(1),
        salesEndTime: at(19),
      }),
    );
    const policy = await catalog.internal.getHoldPolicy({ eventId: event.id });
    expect(policy.kind).to.equal(EventKind.TRIP);
    expect(policy.holdPolicy).to.include({ maxSeatsPerUser: 4, maxExtensions: 3 });
    expect(durationMs(policy.holdPolicy?.holdDuration ?? durationFromMs(0))).to.equal(300_000);
    expect(policy.stopIds).to.deep.equal(["dhaka", "faridpur", "jessore", "kolkata"]);
    expect(policy.seatCount).to.equal(40);
    expect(timestampMs(policy.salesStartTime ?? at(0))).to.equal(timestampMs(at(1)));
    expect(timestampMs(policy.salesEndTime ?? at(0))).to.equal(timestampMs(at(19)));
  });

  it("answers NOT_FOUND for a draft", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert, false);
    expect((await failureOf(catalog.internal.getHoldPolicy({ eventId: event.id }))).code).to.equal(Code.NotFound);
  });

  it("serves service tokens only: PERMISSION_DENIED even to an admin", async () => {
    const { event } = await createEventOn(catalog, await organizerToken(), arena(), concert);
    const client = createClient(CatalogInternalService, { address: catalog.server.address });
    try {
      const error = await failureOf(client.getHoldPolicy({ eventId: event.id }, { token: await adminToken() }));
      expect(error.code).to.equal(Code.PermissionDenied);
    } finally {
      client.close();
    }
  });
});
