import { Migration } from "@mikro-orm/migrations";

const paymentStates = [
  "PENDING",
  "AUTHORIZED",
  "CAPTURED",
  "VOIDED",
  "REFUNDED",
  "PARTIALLY_REFUNDED",
  "DECLINED",
  "FAILED",
];

/**
 * Payments, their refunds, the callers' idempotency keys and the webhook events seen. The rules that must
 * hold however many replicas race are constraints here, not only code: one payment per order, one
 * authorization key and one capture key per payment, refunds never above the capture, the capture never
 * above the authorization, and each webhook event recorded once. Unqualified names: the migrator runs in
 * the service's schema. Columns match the entities exactly.
 */
export class CreatePaymentTables extends Migration {
  override name = "payment_0001_create_tables";

  override up(): void {
    this.addSql(`create table "payment" (
      "id" uuid primary key,
      "order_id" uuid not null constraint "payment_order_id_key" unique,
      "state" text not null check ("state" in (${paymentStates.map((s) => `'${s}'`).join(", ")})),
      "currency_code" text not null,
      "amount_minor" bigint not null check ("amount_minor" > 0),
      "captured_minor" bigint not null default 0,
      "refunded_minor" bigint not null default 0,
      "provider" text not null,
      "provider_intent_id" text null,
      "payment_token" text null,
      "card_brand" text null,
      "card_last4" text null,
      "decline_code" text not null default '',
      "failure_message" text not null default '',
      "create_time" timestamptz not null,
      "update_time" timestamptz not null,
      "authorize_time" timestamptz null,
      "authorization_expire_time" timestamptz null,
      "capture_time" timestamptz null,
      "void_time" timestamptz null,
      constraint "payment_capture_within_amount" check ("captured_minor" between 0 and "amount_minor"),
      constraint "payment_refunds_within_capture" check ("refunded_minor" between 0 and "captured_minor")
    );`);
    this.addSql(`create table "payment_refund" (
      "id" uuid primary key,
      "payment_id" uuid not null references "payment" ("id"),
      "amount_minor" bigint not null check ("amount_minor" > 0),
      "currency_code" text not null,
      "reason" text not null,
      "state" text not null check ("state" in ('PENDING', 'SUCCEEDED', 'FAILED')),
      "provider_refund_id" text null,
      "failure_message" text not null default '',
      "create_time" timestamptz not null,
      "complete_time" timestamptz null
    );`);
    // GetPayment lists a payment's refunds oldest first.
    this.addSql(`create index "payment_refund_of_payment" on "payment_refund" ("payment_id", "create_time", "id");`);
    this.addSql(`create table "idempotency_key" (
      "caller" text not null,
      "key" text not null,
      "operation" text not null check ("operation" in ('AUTHORIZE', 'CAPTURE', 'REFUND')),
      "request_hash" text not null,
      "payment_id" uuid not null references "payment" ("id") on delete cascade,
      "refund_id" uuid null references "payment_refund" ("id"),
      "create_time" timestamptz not null,
      primary key ("caller", "key")
    );`);
    this.addSql(
      `create unique index "idempotency_key_one_authorization" on "idempotency_key" ("payment_id") where "operation" = 'AUTHORIZE';`,
    );
    this.addSql(
      `create unique index "idempotency_key_one_capture" on "idempotency_key" ("payment_id") where "operation" = 'CAPTURE';`,
    );
    this.addSql(
      `create unique index "idempotency_key_one_refund" on "idempotency_key" ("refund_id") where "refund_id" is not null;`,
    );
    this.addSql(`create table "webhook_event" (
      "provider" text not null,
      "event_id" text not null,
      "type" text not null,
      "receive_time" timestamptz not null,
      primary key ("provider", "event_id")
    );`);
  }

  override down(): void {
    for (const table of ["webhook_event", "idempotency_key", "payment_refund", "payment"]) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}
