import { randomUUID } from "node:crypto";
import { Code } from "@marquee/mesh";
import { codeOf, customerToken, partnerToken, startService, useStarted } from "@marquee/mesh/testing";
import { NotificationKind, NotificationService } from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { expect } from "chai";
import { notification } from "../../src/manifest.js";

describe("NotificationService.GetNotificationPreferences", () => {
  const env = useStarted("a notification service", async () => {
    const service = await startService(notification, {
      upstreams: { ordering: "127.0.0.1:1", catalog: "127.0.0.1:1" },
      settings: { SMTP_URL: "smtp://127.0.0.1:1" },
    });
    return { service, close: () => service.close() };
  });

  const client = () => env.service.client(NotificationService);

  it("gives a user who never changed them every kind by email, none by SMS and no update time", async () => {
    const token = await customerToken(randomUUID());
    const { preferences } = await (await client()).getNotificationPreferences({}, { token });
    expect(preferences?.emailKinds).to.deep.equal([
      NotificationKind.ORDER_CONFIRMED,
      NotificationKind.ORDER_CANCELLED,
      NotificationKind.ORDER_REFUNDED,
      NotificationKind.PAYMENT_FAILED,
      NotificationKind.EVENT_UPDATED,
      NotificationKind.EVENT_CANCELLED,
      NotificationKind.HOLD_EXPIRING,
      NotificationKind.WELCOME,
    ]);
    expect(preferences?.smsKinds).to.deep.equal([]);
    expect(preferences?.smsPhoneNumber).to.equal("");
    expect(preferences?.requiredEmailKinds).to.have.members([
      NotificationKind.ORDER_CONFIRMED,
      NotificationKind.ORDER_CANCELLED,
      NotificationKind.ORDER_REFUNDED,
      NotificationKind.EVENT_CANCELLED,
    ]);
    expect(preferences?.updateTime).to.equal(undefined);
  });

  it("returns what the caller stored, with its update time", async () => {
    const token = await customerToken(randomUUID());
    const before = Date.now();
    await (await client()).updateNotificationPreferences(
      {
        preferences: { smsKinds: [NotificationKind.ORDER_CONFIRMED], smsPhoneNumber: "+8801712345678" },
        updateMask: { paths: ["sms_kinds", "sms_phone_number"] },
      },
      { token },
    );
    const { preferences } = await (await client()).getNotificationPreferences({}, { token });
    expect(preferences?.smsKinds).to.deep.equal([NotificationKind.ORDER_CONFIRMED]);
    expect(preferences?.smsPhoneNumber).to.equal("+8801712345678");
    expect(Number(preferences?.updateTime?.seconds) * 1000).to.be.at.least(Math.floor(before / 1000) * 1000);
  });

  it("refuses anonymous callers and partner clients", async () => {
    expect(await codeOf((await client()).getNotificationPreferences({}))).to.equal(Code.Unauthenticated);
    const partner = await partnerToken(randomUUID(), ["orders.read"]);
    expect(await codeOf((await client()).getNotificationPreferences({}, { token: partner }))).to.equal(
      Code.PermissionDenied,
    );
  });
});
