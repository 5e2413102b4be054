import { metricsRegistry } from "@marquee/mesh";
import { Counter, Gauge } from "prom-client";

/**
 * The inventory's own Prometheus metrics, beside the mesh's RED metrics per RPC: why holds are refused
 * (an on-sale shows as a wall of `taken`), what the sweeper frees, and how many watch.
 */

export const holdOutcomes = new Counter({
  name: "inventory_hold_outcomes_total",
  help: "Hold attempts (HoldSeats, HoldBestAvailable) by outcome: held, taken, cap-exceeded, no-seats-free, no-places-free, sales-closed.",
  labelNames: ["outcome"] as const,
  registers: [metricsRegistry],
});

export const expiredHolds = new Counter({
  name: "inventory_holds_expired_total",
  help: "Holds the sweeper expired, returning their seats to sale.",
  registers: [metricsRegistry],
});

export const availabilityWatchers = new Gauge({
  name: "inventory_availability_watchers",
  help: "WatchAvailability streams open on this replica.",
  registers: [metricsRegistry],
});

export const availabilityReaders = new Gauge({
  name: "inventory_availability_readers",
  help: "Change-stream readers on this replica: one per watched event, however many watch it.",
  registers: [metricsRegistry],
});

export const seatsSold = new Counter({
  name: "inventory_seats_sold_total",
  help: "Seat-legs recorded in the sold-seat ledger (a coach seat sold for three legs counts three).",
  registers: [metricsRegistry],
});

export const ledgerConflicts = new Counter({
  name: "inventory_ledger_conflicts_total",
  help: "Sales the sold-seat ledger refused because a seat-leg was already sold to another order: the oversell guard tripping, which should never happen while holds work (alert on any).",
  registers: [metricsRegistry],
});
