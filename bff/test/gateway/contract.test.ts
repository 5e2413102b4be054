import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { expect } from "chai";
import { addressVariableOf, contractServices, isInternalService } from "../../src/gateway/index.js";
import { MeshTestService } from "../support/fixture.js";

describe("contract", () => {
  it("finds every service of the contract, public and internal", async () => {
    const names = (await contractServices()).map((service) => service.typeName);
    expect(names).to.include.members([
      "marquee.catalog.v1.CatalogService",
      "marquee.catalog.v1.CatalogInternalService",
      "marquee.inventory.v1.InventoryService",
      "marquee.payment.v1.PaymentService",
    ]);
    expect(names).to.not.include("grpc.health.v1.Health");
  });

  it("counts exactly the services whose every RPC is INTERNAL as internal", async () => {
    const internal = (await contractServices()).filter(isInternalService).map((service) => service.typeName);
    expect(internal).to.have.members([
      "marquee.catalog.v1.CatalogInternalService",
      "marquee.identity.v1.IdentityInternalService",
      "marquee.inventory.v1.InventoryInternalService",
      "marquee.ordering.v1.OrderingInternalService",
      "marquee.payment.v1.PaymentService",
    ]);
    // One INTERNAL RPC among public ones does not make a service internal; the RPC alone is hidden.
    expect(isInternalService(MeshTestService)).to.equal(false);
  });

  it("names the upstream's address variable after the proto package's domain", () => {
    expect(addressVariableOf(CatalogService)).to.equal("CATALOG_ADDR");
    expect(addressVariableOf(MeshTestService)).to.equal("MESHTEST_ADDR");
  });
});
