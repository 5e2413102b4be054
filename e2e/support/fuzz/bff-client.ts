import http from "node:http";
import type { Answer } from "./answer.js";
import { Http2Connection, sendGrpc } from "./grpc-sender.js";
import { sendHttp1 } from "./http1-sender.js";
import { defaultTiming, type SendTiming, type WireRequest } from "./wire-request.js";

/** One caller of the BFF: its own HTTP/2 connection for gRPC, kept-alive HTTP/1.1 sockets for the rest. */
export interface Lane {
  send(request: WireRequest, timing?: SendTiming): Promise<Answer>;
  close(): void;
}

/** Raw calls to the BFF at `bffUrl` over every protocol it serves. */
export class BffClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly origin: URL;
  private readonly lanes: Lane[] = [];

  constructor(readonly bffUrl: string) {
    this.origin = new URL(bffUrl);
  }

  /** A new caller; requests on one lane go one at a time, lanes run side by side. */
  lane(): Lane {
    const connection = new Http2Connection(this.bffUrl);
    const lane: Lane = {
      send: (request, timing = defaultTiming) =>
        request.protocol === "grpc"
          ? sendGrpc(connection, request, timing)
          : sendHttp1(this.agent, this.origin, request, timing),
      close: () => connection.close(),
    };
    this.lanes.push(lane);
    return lane;
  }

  close(): void {
    for (const lane of this.lanes) lane.close();
    this.agent.destroy();
  }
}
