import { accessOf } from "@marquee/mesh";
import { file_marquee_catalog_v1_catalog } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { file_marquee_identity_v1_identity } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { file_marquee_inventory_v1_inventory } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { file_marquee_notification_v1_notification } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { file_marquee_ordering_v1_ordering } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { file_marquee_search_v1_search } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { expect } from "chai";
import { isPartnerScope, orderedScopes, partnerScopes } from "../../src/domain/partner-scopes.js";

describe("partner scopes", () => {
  it("are exactly the scopes the public RPCs' access options list, so each one grants something", () => {
    const files = [
      file_marquee_catalog_v1_catalog,
      file_marquee_identity_v1_identity,
      file_marquee_inventory_v1_inventory,
      file_marquee_notification_v1_notification,
      file_marquee_ordering_v1_ordering,
      file_marquee_search_v1_search,
    ];
    const declared = new Set(
      files.flatMap((file) =>
        file.services.flatMap((service) => service.methods.flatMap((m) => accessOf(m).partnerScopes)),
      ),
    );
    expect([...declared].sort()).to.deep.equal([...partnerScopes].sort());
  });

  it("accept only Marquee's names, and order a list without repeats", () => {
    expect(isPartnerScope("events.read")).to.equal(true);
    expect(isPartnerScope("EVENTS.READ")).to.equal(false);
    expect(isPartnerScope("events.write")).to.equal(false);
    expect(orderedScopes(["tickets.verify", "events.read", "tickets.verify"])).to.deep.equal([
      "events.read",
      "tickets.verify",
    ]);
  });
});
