import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensurePythonTools } from "@marquee/scripts/test-prerequisites";
import { expect } from "chai";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const protoRoot = join(repoRoot, "proto");
/** What an internal team does: compile the public protos with stock grpcio-tools, then use them. */
const probe = `
import json, grpc
from marquee.api.v1 import access_pb2
from marquee.inventory.v1 import inventory_pb2, inventory_pb2_grpc
from marquee.catalog.v1 import catalog_pb2_grpc
from marquee.api.v1 import ride_pb2

request = inventory_pb2.HoldSeatsRequest(event_id="ev1", seat_ids=["floor-a:B-12"],
    ride=ride_pb2.Ride(boarding_stop_id="dhaka", alighting_stop_id="jessore"))
decoded = inventory_pb2.HoldSeatsRequest.FromString(request.SerializeToString())
method = inventory_pb2.DESCRIPTOR.services_by_name["InventoryService"].methods_by_name["HoldSeats"]
option = method.GetOptions().Extensions[access_pb2.access]
stub = inventory_pb2_grpc.InventoryServiceStub(grpc.insecure_channel("localhost:1"))
print(json.dumps({
  "alighting": decoded.ride.alighting_stop_id,
  "audience": access_pb2.Audience.Name(option.audience),
  "scopes": list(option.partner_scopes),
  "stub_has_hold": callable(getattr(stub, "HoldSeats", None)),
  "catalog_methods": sorted(catalog_pb2_grpc.CatalogServiceServicer.__dict__.keys()),
}))
`;

describe("a Python client generated from proto/", function () {
  this.timeout(180_000);
  let out: string;
  let python: string;

  before(() => {
    python = ensurePythonTools();
    out = mkdtempSync(join(tmpdir(), "marquee-py-"));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("compiles every public proto with grpcio-tools and uses the stubs", () => {
    const protos = readdirSync(join(protoRoot, "marquee"), { recursive: true, encoding: "utf8" })
      .filter((p) => p.endsWith(".proto"))
      .map((p) => join("marquee", p));
    expect(protos.length).to.be.greaterThan(8);
    execFileSync(
      python,
      ["-m", "grpc_tools.protoc", `-I${protoRoot}`, `--python_out=${out}`, `--grpc_python_out=${out}`, ...protos],
      { cwd: protoRoot, stdio: ["ignore", "inherit", "inherit"] },
    );
    writeFileSync(join(out, "probe.py"), probe);
    const result = JSON.parse(execFileSync(python, ["probe.py"], { cwd: out, encoding: "utf8" }));
    expect(result.alighting).to.equal("jessore");
    expect(result.audience).to.equal("AUDIENCE_CUSTOMER");
    expect(result.scopes).to.deep.equal(["inventory.hold"]);
    expect(result.stub_has_hold).to.equal(true);
    expect(result.catalog_methods).to.include.members(["CreateEvent", "PublishEvent", "ListEvents"]);
  });
});
