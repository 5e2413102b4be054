import type { Lane } from "./bff-client.js";
import type { PublicRpc } from "./public-rpcs.js";
import type { SendTiming } from "./wire-request.js";

/**
 * The public RPCs this stack serves: each is called once with an empty message, and those answering
 * UNIMPLEMENTED (the BFF's answer for a service whose upstream does not run yet) are not served.
 */
export async function servedRpcs(lane: Lane, rpcs: readonly PublicRpc[], timing: SendTiming): Promise<Set<string>> {
  const served = new Set<string>();
  for (const rpc of rpcs) {
    const answer = await lane.send(
      {
        protocol: "connect-proto",
        path: rpc.path,
        isStreaming: rpc.isStreaming,
        headers: {
          "content-type": rpc.isStreaming ? "application/connect+proto" : "application/proto",
          "connect-protocol-version": "1",
        },
        body: rpc.isStreaming ? new Uint8Array(5) : new Uint8Array(0),
      },
      { ...timing, cutMs: 300 },
    );
    if (answer.code !== 12) served.add(rpc.path);
  }
  lane.close();
  return served;
}
