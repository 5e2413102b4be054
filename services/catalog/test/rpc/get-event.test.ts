import { randomUUID } from "node:crypto";
import { adminToken, customerToken, organizerToken, partnerToken, serviceToken, testId } from "@marquee/mesh/testing";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { expect } from "chai";
import { createEventOn, useCatalog } from "../support/catalog.js";
import { badFields, Code, failureOf } from "../support/errors.js";
import { arena, concert } from "../support/fixtures.js";

describe("CatalogService.GetEvent", () => {
  const catalog = useCatalog();
  let publishedId = "";
  let draftId = "";

  before(async () => {
    const token = await organizerToken();
    publishedId = (await createEventOn(catalog, token, arena(), concert)).event.id;
    draftId = (await createEventOn(catalog, token, arena(), concert, false)).event.id;
  });

  it("shows a published event to anonymous callers, customers and partners", async () => {
    const anonymous = await catalog.client.getEvent({ eventId: publishedId });
    expect(anonymous.event?.state).to.equal(EventState.PUBLISHED);
    const customer = await catalog.client.getEvent({ eventId: publishedId }, { token: await customerToken() });
    const partner = await catalog.client.getEvent(
      { eventId: publishedId },
      { token: await partnerToken(testId("agency"), ["events.read"]) },
    );
    expect(customer.event).to.deep.equal(anonymous.event);
    expect(partner.event).to.deep.equal(anonymous.event);
  });

  it("shows a draft to its organizer and to admins", async () => {
    const own = await catalog.client.getEvent({ eventId: draftId }, { token: await organizerToken() });
    const admin = await catalog.client.getEvent({ eventId: draftId }, { token: await adminToken() });
    expect(own.event?.state).to.equal(EventState.DRAFT);
    expect(admin.event?.id).to.equal(draftId);
  });

  it("answers NOT_FOUND for a draft to anyone else: another organizer, a customer, a service, anonymous", async () => {
    for (const token of [
      await organizerToken(randomUUID()),
      await customerToken(),
      await serviceToken("search"),
      undefined,
    ]) {
      const error = await failureOf(catalog.client.getEvent({ eventId: draftId }, token ? { token } : {}));
      expect(error.code).to.equal(Code.NotFound);
    }
  });

  it("answers NOT_FOUND for an event that does not exist", async () => {
    expect((await failureOf(catalog.client.getEvent({ eventId: randomUUID() }))).code).to.equal(Code.NotFound);
  });

  it("answers INVALID_ARGUMENT for an id that is not a UUID", async () => {
    expect(badFields(await failureOf(catalog.client.getEvent({ eventId: "42" })))).to.deep.equal(["event_id"]);
  });
});
