import { execFile } from "node:child_process";
import { tool } from "@marquee/scripts/tools";

/** How a grpcurl run ended. */
export interface GrpcurlRun {
  /** 0 on success; grpcurl exits 64 + the gRPC code when the RPC fails, 1 for its own errors. */
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real grpcurl (built into `.tools/bin` on first use), run with `args` as a partner would type them. Never
 * throws for a failed RPC: the test asserts on the exit code and output.
 */
export function grpcurl(args: readonly string[]): Promise<GrpcurlRun> {
  const binary = tool("grpcurl");
  return new Promise((resolve, reject) => {
    execFile(binary, args, { encoding: "utf8", timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") reject(error);
      else resolve({ exitCode: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}
