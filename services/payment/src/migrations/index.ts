import { EventBusMigration } from "@marquee/mesh";
import { CreatePaymentTables } from "./create-payment-tables.js";

/**
 * Every migration of the payment service, oldest first: the event bus's outbox and inbox (as every
 * service has them; payment writes no events yet: PaymentFailed is ordering's), then its own.
 */
export const migrations = [EventBusMigration, CreatePaymentTables];
