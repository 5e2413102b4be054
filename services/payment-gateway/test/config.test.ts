import { type ConfigError, loadConfig } from "@marquee/mesh";
import { expect } from "chai";
import { gatewaySettings, optionsOf } from "../src/config.js";

describe("config (the process's variables)", () => {
  it("reads comma-separated lists and the fault settings into gateway options", () => {
    const options = optionsOf(
      loadConfig(gatewaySettings, {
        PORT: "9000",
        WEBHOOK_URLS: "http://a.test/hook, https://b.test/hook",
        ALLOWED_ORIGINS: "http://localhost:8080,https://app.example.com",
        GATEWAY_SECRET_KEY: "sk_test_abc",
        LATENCY_MS: "250",
        ERROR_RATE: "0.25",
      }),
    );

    expect(options).to.deep.include({
      port: 9000,
      webhookUrls: ["http://a.test/hook", "https://b.test/hook"],
      allowedOrigins: ["http://localhost:8080", "https://app.example.com"],
      secretKeys: ["sk_test_abc"],
      latencyMs: 250,
      errorRate: 0.25,
    });
  });

  it("defaults to port 8090, no browser origins and no webhook endpoints", () => {
    const options = optionsOf(loadConfig(gatewaySettings, {}));

    expect(options).to.deep.include({ port: 8090, allowedOrigins: [], webhookUrls: [], errorRate: 0, latencyMs: 0 });
  });

  it("refuses an origin with a path and a webhook URL that is not http(s)", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig(gatewaySettings, { ALLOWED_ORIGINS: "https://app.example.com/checkout", WEBHOOK_URLS: "ftp://x" });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }

    expect(problems).to.have.length(2);
    expect(problems.some((problem) => problem.startsWith("ALLOWED_ORIGINS"))).to.equal(true);
    expect(problems.some((problem) => problem.startsWith("WEBHOOK_URLS"))).to.equal(true);
  });
});
