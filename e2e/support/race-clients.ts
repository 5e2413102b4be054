import { Agent } from "node:http";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ConnectError, createClient as createConnectClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createClient } from "@marquee/mesh";
import { PreconditionFailureSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import {
  type Hold,
  type HoldSeatsRequestSchema,
  InventoryService,
} from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import type { CallError, Route } from "./race-protocol.js";

/** Longer than any answer may take: the BFF caps a unary call at 10 s, so a slow call fails there first. */
const callTimeoutMs = 60_000;

/** The buyer's side of InventoryService, whatever the route. */
export interface BuyerApi {
  holdSeats(request: MessageInitShape<typeof HoldSeatsRequestSchema>, token: string): Promise<Hold | undefined>;
  releaseHold(holdId: string, token: string): Promise<Hold | undefined>;
  getHold(holdId: string, token: string): Promise<Hold | undefined>;
  /** A public read: opens the connection and loads the event before the start signal. */
  warmUp(eventId: string): Promise<void>;
  close(): void;
}

/**
 * `count` clients of one route, each on a connection of its own: grpc-js channels with a local subchannel
 * pool (grpc-js otherwise shares one connection per address across a process), HTTP/2 sessions to the
 * BFF, or for Connect JSON over HTTP/1.1 one keep-alive agent, which opens a socket per call in flight.
 */
export function buyerApis(route: Route, count: number, inventoryAddress: string, bffUrl: string): BuyerApi[] {
  switch (route) {
    case "inventory-grpc":
      return Array.from({ length: count }, () =>
        meshApi(
          createClient(InventoryService, {
            address: inventoryAddress,
            timeoutMs: callTimeoutMs,
            channelOptions: { "grpc.use_local_subchannel_pool": 1 },
          }),
        ),
      );
    case "bff-grpc":
      return Array.from({ length: count }, () => {
        const sessions = new Http2SessionManager(bffUrl);
        const transport = createGrpcTransport({ baseUrl: bffUrl, sessionManager: sessions });
        return connectApi(createConnectClient(InventoryService, transport), () => sessions.abort());
      });
    case "bff-connect-json": {
      // With a socket timeout set, Node's agent also closes an idle socket a second before the server's
      // `Keep-Alive: timeout=5` would (the BFF is a Node server), instead of sending a call down a socket
      // the server is closing (ECONNRESET, EPIPE). An active call is not cut by it.
      const agent = new Agent({ keepAlive: true, timeout: callTimeoutMs });
      const transport = createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1", nodeOptions: { agent } });
      return [connectApi(createConnectClient(InventoryService, transport), () => agent.destroy())];
    }
  }
}

function meshApi(client: ReturnType<typeof createClient<typeof InventoryService>>): BuyerApi {
  return {
    holdSeats: async (request, token) => (await client.holdSeats(request, { token })).hold,
    releaseHold: async (holdId, token) => (await client.releaseHold({ holdId }, { token })).hold,
    getHold: async (holdId, token) => (await client.getHold({ holdId }, { token })).hold,
    warmUp: async (eventId) => {
      await client.getAvailability({ eventId });
    },
    close: () => client.close(),
  };
}

function connectApi(
  client: ReturnType<typeof createConnectClient<typeof InventoryService>>,
  close: () => void,
): BuyerApi {
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, timeoutMs: callTimeoutMs });
  return {
    holdSeats: async (request, token) => (await client.holdSeats(request, as(token))).hold,
    releaseHold: async (holdId, token) => (await client.releaseHold({ holdId }, as(token))).hold,
    getHold: async (holdId, token) => (await client.getHold({ holdId }, as(token))).hold,
    warmUp: async (eventId) => {
      await client.getAvailability({ eventId }, { timeoutMs: callTimeoutMs });
    },
    close,
  };
}

/** Any thrown value as the checks record it: code, message, and the PreconditionFailure's violations. */
export function callErrorOf(error: unknown): CallError {
  const connectError = ConnectError.from(error);
  return {
    code: connectError.code,
    message: connectError.rawMessage,
    violations: connectError
      .findDetails(PreconditionFailureSchema)
      .flatMap((detail) => detail.violations.map(({ type, subject }) => ({ type, subject }))),
  };
}
