import { randomUUID } from "node:crypto";
import { Code } from "@marquee/mesh";
import {
  badFields,
  codeOf,
  customerToken,
  failureOf,
  partnerToken,
  startService,
  useStarted,
} from "@marquee/mesh/testing";
import {
  NotificationKind,
  NotificationService,
  NotificationStatus,
} from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { expect } from "chai";
import { notification } from "../../src/manifest.js";
import { recordNotification, type StoredKind } from "../../src/store/notifications.js";

describe("NotificationService.ListMyNotifications", () => {
  // No background tasks: the rows stay as recorded, PENDING.
  const env = useStarted("a notification service", async () => {
    const service = await startService(notification, {
      upstreams: { ordering: "127.0.0.1:1", catalog: "127.0.0.1:1" },
      settings: { SMTP_URL: "smtp://127.0.0.1:1" },
    });
    return { service, close: () => service.close() };
  });

  async function record(userId: string, kind: StoredKind, orderId = randomUUID()): Promise<void> {
    await env.service.deps.orm.em.fork().transactional(async (em) => {
      await recordNotification(em, {
        userId,
        kind,
        sourceEventId: randomUUID(),
        recipient: "buyer@example.com",
        subject: `about ${orderId}`,
        orderId,
      });
    });
  }

  const client = () => env.service.client(NotificationService);

  it("pages through the caller's notifications newest first, without gaps or repeats", async () => {
    const userId = randomUUID();
    for (let i = 0; i < 5; i++) await record(userId, "ORDER_CONFIRMED");
    await record(randomUUID(), "ORDER_CONFIRMED");
    const token = await customerToken(userId);
    const seen: string[] = [];
    const times: number[] = [];
    let pageToken = "";
    do {
      const page = await (await client()).listMyNotifications({ pageSize: 2, pageToken }, { token });
      expect(page.notifications.length).to.be.at.most(2);
      for (const found of page.notifications) {
        seen.push(found.id);
        times.push(Number(found.createTime?.seconds) * 1000 + (found.createTime?.nanos ?? 0) / 1e6);
        expect(found.status).to.equal(NotificationStatus.PENDING);
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).to.have.length(5);
    expect(new Set(seen).size).to.equal(5);
    expect([...times].sort((a, b) => b - a)).to.deep.equal(times);
  });

  it("filters by kind and by order", async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await record(userId, "ORDER_CONFIRMED", orderId);
    await record(userId, "ORDER_REFUNDED", orderId);
    await record(userId, "ORDER_REFUNDED");
    const token = await customerToken(userId);
    const refunds = await (await client()).listMyNotifications({ kind: NotificationKind.ORDER_REFUNDED }, { token });
    expect(refunds.notifications.map((n) => n.kind)).to.deep.equal([
      NotificationKind.ORDER_REFUNDED,
      NotificationKind.ORDER_REFUNDED,
    ]);
    const ofOrder = await (await client()).listMyNotifications({ orderId }, { token });
    expect(ofOrder.notifications.map((n) => n.orderId)).to.deep.equal([orderId, orderId]);
  });

  it("refuses a negative page size, a malformed order id and a token of other filters, naming each", async () => {
    const userId = randomUUID();
    for (let i = 0; i < 3; i++) await record(userId, "ORDER_CONFIRMED");
    const token = await customerToken(userId);
    const bad = await failureOf((await client()).listMyNotifications({ pageSize: -1, orderId: "nope" }, { token }));
    expect(bad.code).to.equal(Code.InvalidArgument);
    expect(badFields(bad)).to.have.members(["page_size", "order_id"]);
    const { nextPageToken } = await (await client()).listMyNotifications({ pageSize: 1 }, { token });
    const reused = await failureOf(
      (await client()).listMyNotifications(
        { pageSize: 1, pageToken: nextPageToken, kind: NotificationKind.ORDER_REFUNDED },
        { token },
      ),
    );
    expect(badFields(reused)).to.deep.equal(["page_token"]);
  });

  it("refuses anonymous callers and partner clients", async () => {
    expect(await codeOf((await client()).listMyNotifications({}))).to.equal(Code.Unauthenticated);
    const partner = await partnerToken(randomUUID(), ["orders.read"]);
    expect(await codeOf((await client()).listMyNotifications({}, { token: partner }))).to.equal(Code.PermissionDenied);
  });
});
