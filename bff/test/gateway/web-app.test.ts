import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type Fixture, startFixture } from "../support/fixture.js";

describe("the web app beside the RPCs", () => {
  let fixture: Fixture;
  let dir: string;
  const indexHtml = '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script>';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "marquee-web-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), indexHtml);
    writeFileSync(join(dir, "assets", "app-1a2b.js"), "console.log('app');\n");
    writeFileSync(join(dir, "favicon.ico"), "icon");
    writeFileSync(join(dir, "..", "secret.txt"), "outside the app");
    fixture = await startFixture({
      webApp: { dir, config: { paymentGatewayUrl: "http://127.0.0.1:8090", socialProviders: ["google"] } },
    });
  });

  after(async () => {
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, "..", "secret.txt"), { force: true });
  });

  it("answers every page path with index.html, revalidated on each load", async () => {
    for (const path of ["/", "/events/evt-1", "/orders/ord-1?x=1", "/auth/callback/google?code=abc"]) {
      const response = await fetch(`${fixture.baseUrl}${path}`);
      expect(response.status, path).to.equal(200);
      expect(response.headers.get("content-type")).to.equal("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).to.equal("no-cache");
      expect(await response.text()).to.equal(indexHtml);
    }
  });

  it("serves hashed assets for a year and other files of the build", async () => {
    const asset = await fetch(`${fixture.baseUrl}/assets/app-1a2b.js`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get("content-type")).to.equal("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect(await asset.text()).to.equal("console.log('app');\n");
    expect((await fetch(`${fixture.baseUrl}/favicon.ico`)).status).to.equal(200);
  });

  it("answers 404 for a missing file instead of the app, and never leaves its directory", async () => {
    expect((await fetch(`${fixture.baseUrl}/assets/gone-9z.js`)).status).to.equal(404);
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]) {
      const response = await fetch(`${fixture.baseUrl}${path}`);
      expect(await response.text(), path).to.not.contain("outside the app");
    }
    expect((await fetch(`${fixture.baseUrl}/events/%E0%A4%A`)).status).to.equal(400);
  });

  it("tells the app where cards are tokenized, and lets its pages connect only there and home", async () => {
    const response = await fetch(`${fixture.baseUrl}/web-config.json`);
    expect(await response.json()).to.deep.equal({
      paymentGatewayUrl: "http://127.0.0.1:8090",
      socialProviders: ["google"],
    });
    const policy = (await fetch(`${fixture.baseUrl}/`)).headers.get("content-security-policy") ?? "";
    expect(policy).to.contain("connect-src 'self' http://127.0.0.1:8090");
    expect(policy).to.contain("script-src 'self'");
    expect(policy).to.contain("frame-ancestors 'none'");
  });

  it("leaves RPCs to the gateway, GET ones included", async () => {
    const path = "/marquee.meshtest.v1.MeshTestService/Echo";
    const post = await fetch(`${fixture.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
    });
    expect(post.headers.get("content-type")).to.not.contain("text/html");
    const get = await fetch(`${fixture.baseUrl}${path}?connect=v1&encoding=json&message=%7B%7D`);
    expect(get.headers.get("content-type") ?? "").to.not.contain("text/html");
  });
});
