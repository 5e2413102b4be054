import { ConnectError } from "@connectrpc/connect";
import { Code } from "./errors.js";
import { serverDuration, serverRequests } from "./metrics.js";

/**
 * Starts timing one RPC served outside the mesh server (the BFF serves through connect-node), counting it
 * in the same RED metrics as every mesh server, `marquee_rpc_server_requests_total` and
 * `marquee_rpc_server_duration_seconds`, so one dashboard covers every process. Call the returned
 * function once when the call ends (after the last message of a stream) with its error, or nothing on
 * success; it returns the call's duration in seconds, for the log line.
 */
export function observeServedRpc(service: string, method: string): (error?: unknown) => number {
  const stopTimer = serverDuration.startTimer({ service, method });
  return (error) => {
    const seconds = stopTimer();
    // The label values match the mesh server's: "OK", then connect's names ("InvalidArgument").
    const code = error === undefined ? "OK" : Code[ConnectError.from(error).code];
    serverRequests.inc({ service, method, code });
    return seconds;
  };
}
