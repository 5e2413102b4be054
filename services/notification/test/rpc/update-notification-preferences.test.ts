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
  type NotificationPreferences,
  NotificationService,
} from "@marquee/proto/marquee/notification/v1/notification_pb.js";
import { expect } from "chai";
import { notification } from "../../src/manifest.js";

const required = [
  NotificationKind.ORDER_CONFIRMED,
  NotificationKind.ORDER_CANCELLED,
  NotificationKind.ORDER_REFUNDED,
  NotificationKind.EVENT_CANCELLED,
];

describe("NotificationService.UpdateNotificationPreferences", () => {
  const env = useStarted("a notification service", async () => {
    const service = await startService(notification, {
      upstreams: { ordering: "127.0.0.1:1", catalog: "127.0.0.1:1" },
      settings: { SMTP_URL: "smtp://127.0.0.1:1" },
    });
    return { service, close: () => service.close() };
  });

  const client = () => env.service.client(NotificationService);

  async function preferencesOf(token: string): Promise<NotificationPreferences | undefined> {
    return (await (await client()).getNotificationPreferences({}, { token })).preferences;
  }

  /** The user's row as stored, or undefined: what a refused update must not have written. */
  async function storedRow(userId: string): Promise<unknown> {
    const rows = await env.service.deps.orm.em
      .fork()
      .execute(`select * from "notification_preference" where "user_id" = ?`, [userId]);
    return rows[0];
  }

  it("changes only the fields the mask names, each list replaced whole and without repeats", async () => {
    const token = await customerToken(randomUUID());
    await (await client()).updateNotificationPreferences(
      {
        preferences: { smsKinds: [NotificationKind.EVENT_UPDATED], smsPhoneNumber: "+8801712345678" },
        updateMask: { paths: ["sms_kinds", "sms_phone_number"] },
      },
      { token },
    );
    const { preferences } = await (await client()).updateNotificationPreferences(
      {
        preferences: {
          emailKinds: [...required, NotificationKind.WELCOME, NotificationKind.WELCOME],
          // Not in the mask: neither is read.
          smsKinds: [],
          smsPhoneNumber: "+15555550100",
        },
        updateMask: { paths: ["email_kinds"] },
      },
      { token },
    );
    const expected = {
      emailKinds: [...required, NotificationKind.WELCOME],
      smsKinds: [NotificationKind.EVENT_UPDATED],
      smsPhoneNumber: "+8801712345678",
    };
    for (const found of [preferences, await preferencesOf(token)]) {
      expect(found?.emailKinds).to.deep.equal(expected.emailKinds);
      expect(found?.smsKinds).to.deep.equal(expected.smsKinds);
      expect(found?.smsPhoneNumber).to.equal(expected.smsPhoneNumber);
      expect(found?.requiredEmailKinds).to.have.members(required);
      expect(found?.updateTime).to.not.equal(undefined);
    }
  });

  it("refuses email kinds without a required kind, naming email_kinds, and keeps what was stored", async () => {
    const userId = randomUUID();
    const token = await customerToken(userId);
    const failure = await failureOf(
      (await client()).updateNotificationPreferences(
        {
          preferences: { emailKinds: [NotificationKind.ORDER_CANCELLED, NotificationKind.WELCOME] },
          updateMask: { paths: ["email_kinds"] },
        },
        { token },
      ),
    );
    expect(failure.code).to.equal(Code.InvalidArgument);
    // ORDER_CONFIRMED, ORDER_REFUNDED and EVENT_CANCELLED are missing: one violation each.
    expect(badFields(failure)).to.deep.equal([
      "preferences.email_kinds",
      "preferences.email_kinds",
      "preferences.email_kinds",
    ]);
    expect(failure.message).to.contain("NOTIFICATION_KIND_ORDER_CONFIRMED");
    expect(await storedRow(userId)).to.equal(undefined);
    expect((await preferencesOf(token))?.emailKinds)
      .to.include(NotificationKind.WELCOME)
      .and.include(NotificationKind.ORDER_CONFIRMED);
  });

  it("refuses each bad field by name and stores nothing", async () => {
    const userId = randomUUID();
    const token = await customerToken(userId);
    const failure = await failureOf(
      (await client()).updateNotificationPreferences(
        {
          preferences: {
            emailKinds: [...required, NotificationKind.UNSPECIFIED],
            smsKinds: [NotificationKind.WELCOME, NotificationKind.UNSPECIFIED],
            smsPhoneNumber: "01712345678",
          },
          updateMask: { paths: ["email_kinds", "sms_kinds", "sms_phone_number", "required_email_kinds"] },
        },
        { token },
      ),
    );
    expect(failure.code).to.equal(Code.InvalidArgument);
    expect(badFields(failure)).to.have.members([
      "update_mask.paths[3]",
      "preferences.email_kinds[4]",
      "preferences.sms_kinds[1]",
      "preferences.sms_phone_number",
    ]);
    expect(await storedRow(userId)).to.equal(undefined);

    const noMask = await failureOf(
      (await client()).updateNotificationPreferences({ preferences: { emailKinds: required } }, { token }),
    );
    expect(badFields(noMask)).to.deep.equal(["update_mask"]);
    expect(await storedRow(userId)).to.equal(undefined);
  });

  it("refuses SMS kinds without a phone number once applied, naming the field the request set", async () => {
    const userId = randomUUID();
    const token = await customerToken(userId);
    const noPhone = await failureOf(
      (await client()).updateNotificationPreferences(
        { preferences: { smsKinds: [NotificationKind.ORDER_CONFIRMED] }, updateMask: { paths: ["sms_kinds"] } },
        { token },
      ),
    );
    expect(noPhone.code).to.equal(Code.InvalidArgument);
    expect(badFields(noPhone)).to.deep.equal(["preferences.sms_kinds"]);
    expect(await storedRow(userId)).to.equal(undefined);

    await (await client()).updateNotificationPreferences(
      {
        preferences: { smsKinds: [NotificationKind.ORDER_CONFIRMED], smsPhoneNumber: "+8801712345678" },
        updateMask: { paths: ["sms_kinds", "sms_phone_number"] },
      },
      { token },
    );
    const cleared = await failureOf(
      (await client()).updateNotificationPreferences(
        { preferences: { smsPhoneNumber: "" }, updateMask: { paths: ["sms_phone_number"] } },
        { token },
      ),
    );
    expect(badFields(cleared)).to.deep.equal(["preferences.sms_phone_number"]);
    expect((await preferencesOf(token))?.smsPhoneNumber).to.equal("+8801712345678");
  });

  it("leaves another user's preferences untouched", async () => {
    const other = await customerToken(randomUUID());
    await (await client()).updateNotificationPreferences(
      {
        preferences: { smsKinds: [NotificationKind.HOLD_EXPIRING], smsPhoneNumber: "+8801811111111" },
        updateMask: { paths: ["sms_kinds", "sms_phone_number"] },
      },
      { token: other },
    );
    const mine = await customerToken(randomUUID());
    await (await client()).updateNotificationPreferences(
      {
        preferences: { emailKinds: required, smsKinds: [], smsPhoneNumber: "" },
        updateMask: { paths: ["email_kinds", "sms_kinds", "sms_phone_number"] },
      },
      { token: mine },
    );
    const theirs = await preferencesOf(other);
    expect(theirs?.emailKinds).to.have.length(8);
    expect(theirs?.smsKinds).to.deep.equal([NotificationKind.HOLD_EXPIRING]);
    expect(theirs?.smsPhoneNumber).to.equal("+8801811111111");
    expect((await preferencesOf(mine))?.emailKinds).to.have.members(required);
  });

  it("refuses anonymous callers and partner clients", async () => {
    const request = { preferences: { emailKinds: required }, updateMask: { paths: ["email_kinds"] } };
    expect(await codeOf((await client()).updateNotificationPreferences(request))).to.equal(Code.Unauthenticated);
    const partner = await partnerToken(randomUUID(), ["orders.read"]);
    expect(await codeOf((await client()).updateNotificationPreferences(request, { token: partner }))).to.equal(
      Code.PermissionDenied,
    );
  });
});
