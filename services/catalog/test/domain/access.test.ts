import type { Principal } from "@marquee/mesh";
import { expect } from "chai";
import { canManage, canRead, ownerFilterOf } from "../../src/domain/access.js";

const user = (subject: string, roles: Principal["roles"]): Principal => ({
  subject,
  kind: "user",
  roles,
  scopes: [],
  token: "",
  expiresAtMs: 0,
});
const owner = user("owner", ["organizer"]);
const other = user("other", ["organizer"]);
const admin = user("root", ["admin"]);
const service: Principal = { ...user("svc:inventory", []), kind: "service" };

describe("canManage", () => {
  it("lets the owner and admins manage, and nobody else", () => {
    expect(canManage(owner, "owner")).to.equal(true);
    expect(canManage(admin, "owner")).to.equal(true);
    expect(canManage(other, "owner")).to.equal(false);
    expect(canManage(service, "owner")).to.equal(false);
    expect(canManage(undefined, "owner")).to.equal(false);
  });
});

describe("canRead", () => {
  it("lets anyone read what is not a draft, and a draft only whom canManage", () => {
    expect(canRead(undefined, "owner", false)).to.equal(true);
    expect(canRead(undefined, "owner", true)).to.equal(false);
    expect(canRead(other, "owner", true)).to.equal(false);
    expect(canRead(owner, "owner", true)).to.equal(true);
  });
});

describe("ownerFilterOf", () => {
  it("limits lists to the caller's own resources, except for admins", () => {
    expect(ownerFilterOf(owner)).to.equal("owner");
    expect(ownerFilterOf(admin)).to.equal(undefined);
  });
});
