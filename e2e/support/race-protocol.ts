/**
 * What the race test and its worker processes (`race-worker.ts`) say to each other over the IPC channel,
 * and the records a worker sends back: every call a buyer made, with the wall-clock times it was sent and
 * answered (`Date.now()`; the processes share one machine and so one clock).
 */

/** How a buyer reaches the inventory. */
export type Route =
  /** The inventory's own gRPC port, through a mesh client (grpc-js), as a service would call it. */
  | "inventory-grpc"
  /** The BFF, Connect protocol with JSON over HTTP/1.1, as a browser does. */
  | "bff-connect-json"
  /** The BFF, gRPC over cleartext HTTP/2, as a partner's generated client does. */
  | "bff-grpc";

export const routes: readonly Route[] = ["inventory-grpc", "inventory-grpc", "bff-connect-json", "bff-grpc"];

/** What a winner does with its hold. */
export type Fate =
  /** The ordering saga's InventoryInternalService.CommitHold, with a service token. */
  | "commit"
  /** The buyer's ReleaseHold. */
  | "release"
  /** Nothing: its expiry is moved into the past in Redis, and the running sweeper frees the seats. */
  | "expire";

export const fates: readonly Fate[] = ["commit", "release", "expire"];

/** One race as one worker runs it: the event, where the services are, and the buyers it plays. */
export interface RaceOrder {
  readonly eventId: string;
  /** Every seat of the event, in seat-index order. */
  readonly seatIds: readonly string[];
  /** The trip's stops in order; empty for an event, whose one leg is 0. */
  readonly stopIds: readonly string[];
  /** Seats per request, both ends included. */
  readonly seatsPerHold: readonly [number, number];
  readonly buyers: readonly { readonly buyerId: string; readonly route: Route }[];
  /** `host:port` of the inventory's gRPC port. */
  readonly inventoryAddress: string;
  readonly bffUrl: string;
  readonly redisUrl: string;
  /** The stack's development signing key (a private JWK file). */
  readonly signingKeyPath: string;
  /** Connections each worker opens per HTTP/2 route (HTTP/1.1 opens one per call in flight). */
  readonly connectionsPerRoute: number;
}

/** A call's error as the client saw it. */
export interface CallError {
  readonly code: number;
  readonly message: string;
  /** The `google.rpc.PreconditionFailure` violations it carried. */
  readonly violations: readonly { readonly type: string; readonly subject: string }[];
}

/** The hold a HoldSeats answered with, as far as the checks need it. */
export interface HeldAnswer {
  readonly id: string;
  readonly userId: string;
  readonly seatIds: readonly string[];
  readonly state: number;
  readonly boardingStopId: string;
  readonly alightingStopId: string;
}

/** What became of a winner's hold. */
export interface FateRecord {
  readonly kind: Fate;
  /** Just before the commit or release was sent, or the expiry written to Redis. */
  readonly sentAt: number;
  /** When the commit or release answered, or the expiry write was done. */
  readonly answeredAt: number;
  /** The hold's state in the answer: CommitHold's, ReleaseHold's, or GetHold's after the expiry. */
  readonly state?: number;
  readonly orderId?: string;
  readonly error?: CallError;
}

/** One HoldSeats call. */
export interface AttemptRecord {
  readonly seatIds: readonly string[];
  /** The legs the ride covers: leg i is stop i → stop i + 1; an event's only leg is 0. */
  readonly legs: readonly number[];
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly hold?: HeldAnswer;
  readonly error?: CallError;
  readonly fate?: FateRecord;
}

/** One buyer's calls: its first HoldSeats and, when that lost, its one retry on other seats. */
export interface BuyerRecord {
  readonly buyerId: string;
  readonly route: Route;
  readonly attempts: readonly AttemptRecord[];
}

/** Messages from the test to a worker. */
export type ToWorker =
  | { readonly type: "prepare"; readonly order: RaceOrder }
  | { readonly type: "go" }
  | { readonly type: "stop" };

/** Messages from a worker to the test. */
export type FromWorker =
  /** Loaded, waiting for an order. */
  | { readonly type: "up" }
  /** Tokens minted and every connection open: waiting for the start signal. */
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly goReceivedAt: number; readonly buyers: readonly BuyerRecord[] }
  | { readonly type: "failed"; readonly error: string };
