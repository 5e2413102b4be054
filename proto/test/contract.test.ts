import {
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescService,
  getOption,
  hasOption,
  ScalarType,
} from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Audience, access } from "@marquee/proto/marquee/api/v1/access_pb.js";
import { expect } from "chai";
import { loadContract, methodsOf, servicesOf } from "./contract.js";

let services: DescService[];
let methods: DescMethod[];
let messages: DescMessage[];

before(async () => {
  const { files } = await loadContract();
  services = servicesOf(files);
  methods = methodsOf(files);
  const walk = (m: DescMessage): DescMessage[] => [m, ...m.nestedMessages.flatMap(walk)];
  messages = files.flatMap((f) => f.messages.flatMap(walk));
});

/** The services DESIGN.md's contract decisions name as internal: every RPC INTERNAL, and no other. */
const internalServices = new Set([
  "marquee.catalog.v1.CatalogInternalService",
  "marquee.identity.v1.IdentityInternalService",
  "marquee.inventory.v1.InventoryInternalService",
  "marquee.ordering.v1.OrderingInternalService",
  "marquee.payment.v1.PaymentService",
]);

/** Domains whose service must exist in v1 (DESIGN.md, "Services"). */
const expectedServices = [
  "marquee.identity.v1.IdentityService",
  "marquee.catalog.v1.CatalogService",
  "marquee.search.v1.SearchService",
  "marquee.inventory.v1.InventoryService",
  "marquee.ordering.v1.OrderingService",
  "marquee.notification.v1.NotificationService",
  ...internalServices,
];

/**
 * Reads that are not lists but page a part of their answer, as AIP-158 pages a list: GetAvailability's
 * per-section counts come whole, its seat states (100,000 on a stadium) a page at a time, each page with
 * the counts of the same read. No other RPC outside List and Search may page.
 */
const pagedReads = new Set(["marquee.inventory.v1.InventoryService.GetAvailability"]);

/** Field names that hold money (by their last word: unit_price, refund_amount, total) and so must be Money. */
const moneyName = /(^|_)(price|amount|total|subtotal|fare|fee|fees|gross|net|cost)$/;
/** Floating point is for map geometry only, never for money or counts. */
const geometryName = /^(x|y|min_x|min_y|max_x|max_y|origin_x|origin_y)$/;

function fieldsOf(m: DescMessage): DescField[] {
  return m.fields;
}

describe("the v1 contract", () => {
  it("has every service of the design", () => {
    expect(services.map((s) => s.typeName)).to.include.members(expectedServices);
  });

  it("declares access on every RPC, with an audience", () => {
    const missing = methods
      .filter((m) => !hasOption(m, access) || getOption(m, access).audience === Audience.UNSPECIFIED)
      .map((m) => `${m.parent.typeName}.${m.name}`);
    expect(missing).to.deep.equal([]);
    expect(methods.length).to.be.greaterThan(40);
  });

  it("marks INTERNAL exactly the RPCs of the internal services", () => {
    const misplaced = methods
      .filter((m) => (getOption(m, access).audience === Audience.INTERNAL) !== internalServices.has(m.parent.typeName))
      .map((m) => `${m.parent.typeName}.${m.name}`);
    expect(misplaced).to.deep.equal([]);
    expect(services.filter((s) => internalServices.has(s.typeName))).to.have.length(internalServices.size);
  });

  it("gives partner scopes only to RPCs a partner could reach", () => {
    const internalWithScopes = methods.filter(
      (m) => getOption(m, access).audience === Audience.INTERNAL && getOption(m, access).partnerScopes.length > 0,
    );
    expect(internalWithScopes.map((m) => m.name)).to.deep.equal([]);
  });

  it("pages every List and Search RPC as AIP-158", () => {
    const listing = methods.filter(
      (m) => /^(List|Search)/.test(m.name) || pagedReads.has(`${m.parent.typeName}.${m.name}`),
    );
    expect(listing.length).to.be.greaterThan(8);
    const wrong = listing.filter((m) => {
      const size = m.input.field.pageSize;
      const token = m.input.field.pageToken;
      const next = m.output.field.nextPageToken;
      return (
        m.methodKind !== "unary" ||
        size?.fieldKind !== "scalar" ||
        size.scalar !== ScalarType.INT32 ||
        token?.fieldKind !== "scalar" ||
        token.scalar !== ScalarType.STRING ||
        next?.fieldKind !== "scalar" ||
        next.scalar !== ScalarType.STRING
      );
    });
    expect(wrong.map((m) => `${m.parent.typeName}.${m.name}`)).to.deep.equal([]);
  });

  it("does not page RPCs that are not named List or Search, but for the few paged reads", () => {
    const paged = methods.filter(
      (m) =>
        m.input.field.pageToken !== undefined &&
        !/^(List|Search)/.test(m.name) &&
        !pagedReads.has(`${m.parent.typeName}.${m.name}`),
    );
    expect(paged.map((m) => m.name)).to.deep.equal([]);
    const named = methods.filter((m) => pagedReads.has(`${m.parent.typeName}.${m.name}`));
    expect(named, "every paged read named exists").to.have.length(pagedReads.size);
  });

  it("uses Money for every amount, and floating point only for map geometry", () => {
    const fields = messages.filter((m) => m.typeName !== "marquee.api.v1.Money").flatMap(fieldsOf);
    const money = fields.filter((f) => moneyName.test(f.name));
    expect(money.length, "money fields found").to.be.greaterThan(20);
    const notMoney = money.filter((f) => f.message?.typeName !== "marquee.api.v1.Money");
    expect(notMoney.map((f) => `${f.parent.typeName}.${f.name}`)).to.deep.equal([]);
    const floats = fields.filter(
      (f) =>
        f.fieldKind === "scalar" &&
        (f.scalar === ScalarType.DOUBLE || f.scalar === ScalarType.FLOAT) &&
        !geometryName.test(f.name),
    );
    expect(floats.map((f) => `${f.parent.typeName}.${f.name}`)).to.deep.equal([]);
  });

  it("types every *_time field as google.protobuf.Timestamp", () => {
    const wrong = messages
      .flatMap(fieldsOf)
      .filter((f) => f.name.endsWith("_time") && f.message?.typeName !== "google.protobuf.Timestamp");
    expect(wrong.map((f) => `${f.parent.typeName}.${f.name}`)).to.deep.equal([]);
  });

  it("marks every read NO_SIDE_EFFECTS, so clients may retry it", () => {
    const reads = methods.filter((m) => /^(Get|List|Search|Watch|Stream|Suggest)/.test(m.name));
    const wrong = reads.filter((m) => m.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS);
    expect(wrong.map((m) => `${m.parent.typeName}.${m.name}`)).to.deep.equal([]);
  });

  it("keeps every service in a versioned marquee package", () => {
    const wrong = services.filter((s) => !/^marquee\.[a-z]+\.v\d+\.[A-Z]\w+Service$/.test(s.typeName));
    expect(wrong.map((s) => s.typeName)).to.deep.equal([]);
  });
});
