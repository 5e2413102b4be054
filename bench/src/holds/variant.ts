import type { MeshClient } from "@marquee/mesh";
import type { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import type { Stack } from "@marquee/scripts/stack";
import type { Operation } from "../support/load.js";
import type { HoldsConfig, VariantKey } from "./config.js";
import type { SigningKey } from "./supply.js";

/** Seats per hold in every variant: a family's booking, half the default per-user cap of 8. */
export const seatsPerHold = 4;

/** The hold policy every event gets from catalog's defaults: cap 8, 10 minutes, one extension. */
export const defaultPolicy = { maxSeatsPerUser: 8, holdTtlMs: 600_000, extensions: 1 } as const;

/** What every variant may use: the running stack, its dev key, a catalog client signed in as organizer. */
export interface BenchContext {
  readonly config: HoldsConfig;
  readonly stack: Stack;
  readonly signingKey: SigningKey;
  /** `host:port` of the inventory's gRPC server. */
  readonly inventoryAddress: string;
  readonly catalog: MeshClient<typeof CatalogService>;
  /** Holds one variant may need at `BENCH_MAX_HOLDS_PER_S` over its warm-up and window. */
  readonly holdsToProvision: number;
  /** Progress lines. */
  readonly say: (line: string) => void;
}

/** A variant ready to measure. */
export interface PreparedVariant {
  readonly operation: Operation<unknown>;
  /** What was set up, for the report: events, connections, how seats and buyers are supplied. */
  readonly setup: string;
  close(): Promise<void>;
}

/** One way of holding seats, measured under the same load as the others. */
export interface Variant {
  readonly key: VariantKey;
  /** One line: what one request is. */
  readonly title: string;
  prepare(context: BenchContext): Promise<PreparedVariant>;
}
