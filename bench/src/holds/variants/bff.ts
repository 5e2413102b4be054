import { Agent, request } from "node:http";
import { hallSeatGroups } from "../hall.js";
import { BuyerQueue, mintBuyers } from "../supply.js";
import type { Variant } from "../variant.js";

const path = "/marquee.inventory.v1.InventoryService/HoldSeats";

/**
 * (c) HoldSeats as a browser sends it: Connect's JSON protocol over HTTP/1.1 to the BFF (which verifies the
 * token, checks access, and forwards over gRPC to the inventory, which verifies it again). One keep-alive
 * socket per request in flight, since HTTP/1.1 carries one request at a time.
 */
export const bff: Variant = {
  key: "bff",
  title: "HoldSeats through the BFF, Connect JSON over HTTP/1.1 (keep-alive), same hall",
  async prepare(context) {
    const url = context.stack.bffUrl;
    if (url === undefined) throw new Error("the stack started without a BFF");
    const { port } = new URL(url);
    const groups = await hallSeatGroups(context);
    context.say(`minting ${context.holdsToProvision} buyers…`);
    const buyers = new BuyerQueue(await mintBuyers(context.signingKey, context.holdsToProvision));
    const agent = new Agent({ keepAlive: true, maxSockets: context.config.concurrency });
    return {
      setup: `The shared hall events; node:http keep-alive agent, up to ${context.config.concurrency} sockets; a new buyer token per hold`,
      operation: {
        async run() {
          const { eventId, seatIds } = groups.take();
          const { token } = buyers.take();
          const answer = await postJson(agent, Number(port), token, JSON.stringify({ eventId, seatIds }));
          if (answer.status !== 200) throw new Error(`BFF answered ${answer.status}: ${answer.body.slice(0, 300)}`);
          const hold = (JSON.parse(answer.body) as { hold?: { id?: string } }).hold;
          if (hold?.id === undefined) throw new Error(`BFF answered no hold: ${answer.body.slice(0, 300)}`);
          return hold;
        },
      },
      async close() {
        agent.destroy();
      },
    };
  },
};

function postJson(agent: Agent, port: number, token: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    call.on("error", reject);
    call.end(body);
  });
}
