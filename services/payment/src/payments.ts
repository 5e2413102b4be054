import type { Database, Logger } from "@marquee/mesh";
import type { FieldCipher } from "./crypto/field-cipher.js";
import type { PaymentServiceProvider } from "./gateway/psp.js";

/**
 * What the payment service's handlers and its webhook receiver are built from: its database, the PSP
 * adapter, the cipher of its sensitive columns, and a logger for background work.
 */
export interface Payments {
  readonly orm: Database;
  readonly psp: PaymentServiceProvider;
  readonly cipher: FieldCipher;
  readonly log: Logger;
}
