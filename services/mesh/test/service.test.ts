import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { Code, defineRpc } from "../src/index.js";
import {
  badFields,
  customerToken,
  failureOf,
  quotaSubjects,
  startService,
  testKeys,
  useService,
} from "../src/testing/index.js";
import { TallyService } from "./gen/marquee/meshtest/v1/tally_pb.js";
import { add, getTotal, tally } from "./support/tally-service.js";

describe("a service declared by its manifest", () => {
  describe("started from the manifest alone", () => {
    const service = useService(tally, { settings: { TALLY_MAX_TOTAL: "10" } });

    it("migrates its schema, composes its handlers and serves its RPCs", async () => {
      const client = await service.client(TallyService);
      const token = await customerToken();
      expect((await client.add({ name: "apples", amount: 4 }, { token })).total).to.equal(4n);
      expect((await client.add({ name: "apples", amount: 5 }, { token })).total).to.equal(9n);
      expect((await client.getTotal({ name: "apples" })).total).to.equal(9n);
      expect((await client.getTotal({ name: "pears" })).total).to.equal(0n);
    });

    it("checks every request by its entry's rules before the handler runs, and changes nothing", async () => {
      const client = await service.client(TallyService);
      const token = await customerToken();
      const refused = await failureOf(client.add({ name: "Apples!", amount: 0 }, { token }));
      expect(refused.code).to.equal(Code.InvalidArgument);
      expect(badFields(refused)).to.deep.equal(["name", "amount"]);
      expect(badFields(await failureOf(client.getTotal({ name: "" })))).to.deep.equal(["name"]);
      expect((await client.getTotal({ name: "apples" })).total).to.equal(9n);
    });

    it("reads its own settings: TALLY_MAX_TOTAL refuses a total past it and keeps the old one", async () => {
      const client = await service.client(TallyService);
      const over = await failureOf(client.add({ name: "apples", amount: 2 }, { token: await customerToken() }));
      expect(over.code).to.equal(Code.ResourceExhausted);
      expect(quotaSubjects(over)).to.deep.equal(["tally:apples"]);
      expect((await client.getTotal({ name: "apples" })).total).to.equal(9n);
    });

    it("keeps the access of each method: Add is for signed-in customers", async () => {
      const client = await service.client(TallyService);
      expect((await failureOf(client.add({ name: "apples", amount: 1 }))).code).to.equal(Code.Unauthenticated);
    });
  });

  describe("refused at start", () => {
    it("names the method whose entry has no rules", async () => {
      const withoutRules = { method: getTotal.method, handler: getTotal.handler } as unknown as typeof getTotal;
      const error = await failureOf(startService({ ...tally, rpcs: [add, withoutRules] }));
      expect(error.message).to.contain("marquee.meshtest.v1.TallyService.GetTotal declares no request rules");
    });

    it("names the method that has no entry, and an entry given twice", async () => {
      expect((await failureOf(startService({ ...tally, rpcs: [add] }))).message).to.contain(
        "marquee.meshtest.v1.TallyService.GetTotal has no entry in the RPC table",
      );
      expect((await failureOf(startService({ ...tally, rpcs: [add, add, getTotal] }))).message).to.contain(
        "marquee.meshtest.v1.TallyService.Add has two entries",
      );
    });

    it("refuses to define an entry without rules, naming its method", () => {
      const define = () => defineRpc(TallyService.method.getTotal, { handler: getTotal.handler } as never);
      expect(define).to.throw("marquee.meshtest.v1.TallyService.GetTotal declares no request rules");
    });

    it("stops `serve` before it opens anything: the process exits naming the method", async function () {
      this.timeout(60_000);
      const script = fileURLToPath(new URL("./support/tally-process.ts", import.meta.url));
      const child = spawn(process.execPath, ["--import", "tsx", script], {
        env: {
          ...process.env,
          TALLY_VARIANT: "without-rules",
          PORT: "0",
          METRICS_PORT: "0",
          // Nothing listens here: the process must stop before it connects.
          DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
          AUTH_JWKS_URL: (await testKeys()).jwksPath,
          LOG_LEVEL: "silent",
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).to.not.equal(0);
      expect(stderr).to.contain("marquee.meshtest.v1.TallyService.GetTotal declares no request rules");
    });
  });
});
