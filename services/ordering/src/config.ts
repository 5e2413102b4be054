import { integer } from "@marquee/mesh";

/** Ordering's own variables, beside the standard ones its manifest implies (`PORT`, `DATABASE_URL`, …). */
export const settings = {
  SERVICE_FEE_BASIS_POINTS: integer(
    "Marquee's service fee per ticket, in hundredths of a percent of its price (250 = 2.5 %); 0 charges none",
    250,
    { min: 0, max: 5000 },
  ),
  CHECKOUT_WAIT_MS: integer(
    "how long CreateOrder waits for the checkout saga before answering with the order still PENDING",
    4000,
    { min: 0, max: 30_000 },
  ),
  SAGA_LEASE_MS: integer(
    "how long one process owns a running checkout; a process killed mid-saga is taken over after this",
    30_000,
    { min: 200, max: 600_000 },
  ),
  SAGA_RESUME_INTERVAL_MS: integer(
    "pause between two scans for checkouts to resume (a lapsed lease, a retry that is due)",
    1000,
    { min: 20, max: 60_000 },
  ),
  SAGA_RETRY_MAX_DELAY_MS: integer(
    "longest pause before a checkout step that met an unavailable upstream is tried again",
    15_000,
    { min: 10, max: 600_000 },
  ),
  REFUND_MFA_ABOVE_MINOR: integer(
    "refunds larger than this, in minor units of the order's currency (5000000 = 50,000.00), need a caller signed in with a second factor (token amr with otp); refunds of this much or less do not",
    5_000_000,
    { min: 0, max: Number.MAX_SAFE_INTEGER },
  ),
  REFUND_FOLLOW_INTERVAL_MS: integer(
    "pause between two rounds of finishing refunds left half done (money unsettled, seats not yet on sale)",
    2000,
    { min: 20, max: 600_000 },
  ),
  CANCELLATION_INTERVAL_MS: integer(
    "pause between two rounds of refunding the orders of cancelled events (and cancelling their checkouts)",
    1000,
    { min: 20, max: 600_000 },
  ),
  CANCELLATION_BATCH_SIZE: integer(
    "orders of a cancelled event refunded in one transaction; a crash loses at most this batch's carrying out, which the refund follower finishes",
    100,
    { min: 1, max: 1000 },
  ),
};
