import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { signInAtProvider } from "@marquee/dev-oidc-provider/testing";
import { isAlive } from "@marquee/mesh/local";
import { waitFor } from "@marquee/mesh/testing";
import { expect } from "chai";
import { fixedPorts, serviceNamed } from "../src/ports.js";
import { repoRoot } from "../src/stack.js";
import { tool } from "../src/tools.js";

/** Every process descended from `root`, from /proc. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may contain spaces and parentheses: the parent pid follows the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(root);
  return found;
}

/** Starts `npm start`'s script and resolves with the process and its output once it prints "Ready.". */
async function launch(dataDir: string, portOffset: number): Promise<{ launcher: ChildProcess; output: string[] }> {
  const launcher = spawn(process.execPath, ["--import", "tsx", "scripts/src/start.ts"], {
    cwd: repoRoot,
    env: { ...process.env, MARQUEE_DATA_DIR: dataDir, MARQUEE_PORT_OFFSET: String(portOffset), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const output: string[] = [];
  const lines = createInterface({ input: launcher.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      output.push(line);
      if (line.startsWith("Ready.")) resolve();
    });
    launcher.once("exit", (code) => reject(new Error(`launcher exited with ${code}:\n${output.join("\n")}`)));
  });
  return { launcher, output };
}

async function stopWithCtrlC(launcher: ChildProcess): Promise<number | null> {
  const exited = once(launcher, "exit");
  launcher.kill("SIGINT");
  const [code] = (await exited) as [number | null];
  return code;
}

describe("npm start (scripts/src/start.ts)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `launcher-${process.pid}`);
  // A second stack must not collide with a developer's `npm start` on the table's ports, nor with the
  // kernel's ephemeral ports (32768–60999 on Linux), where a client socket can hold a service's port: from
  // 11,000 on, the gRPC ports (50052 + offset) lie above that range and the others (up to 9,480) below it.
  const portOffset = 11_000 + (process.pid % 25) * 100;
  const catalogPort = serviceNamed("catalog").ports.grpc + portOffset;
  const bffPort = fixedPorts.bff + portOffset;
  let grpcurl: string;
  let running: ChildProcess | undefined;

  before(() => {
    grpcurl = tool("grpcurl");
  });
  // A failed assertion must not leave a stack running for the next test (or the next run) to trip on.
  afterEach(async () => {
    if (running && running.exitCode === null && running.signalCode === null) await stopWithCtrlC(running);
    running = undefined;
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  function listEvents(): {
    events: Array<{ title: string; kind: string; category: string; stops?: Array<{ city: string }> }>;
  } {
    const out = execFileSync(
      grpcurl,
      [
        "-plaintext",
        "-d",
        '{"page_size": 100}',
        `127.0.0.1:${catalogPort}`,
        "marquee.catalog.v1.CatalogService/ListEvents",
      ],
      { encoding: "utf8" },
    );
    return JSON.parse(out);
  }

  /** The demo accounts and password `npm start` printed. */
  function printedAccounts(output: string[]): { password: string; emails: Record<string, string> } {
    const text = output.join("\n");
    const password = text.match(/password for each: (.+)\):/)?.[1] ?? "";
    const emails = Object.fromEntries(
      ["organizer", "customer", "admin"].map((role) => [
        role,
        text.match(new RegExp(`^ +${role} +(\\S+@\\S+)`, "m"))?.[1] ?? "",
      ]),
    );
    return { password, emails };
  }

  /** Signs in through the BFF with grpcurl, as the printed Login line does. */
  function login(
    email: string,
    password: string,
  ): { user: { id: string; roles?: string[]; emailVerified?: boolean }; tokens: { accessToken: string } } {
    const out = execFileSync(
      grpcurl,
      [
        "-plaintext",
        "-d",
        JSON.stringify({ email, password }),
        `127.0.0.1:${bffPort}`,
        "marquee.identity.v1.IdentityService/Login",
      ],
      { encoding: "utf8" },
    );
    return JSON.parse(out);
  }

  /** The printed demo accounts sign in with the printed password, verified and with their roles. */
  function expectDemoAccountsSignIn(output: string[]): void {
    const { password, emails } = printedAccounts(output);
    expect(password, "the password is printed").to.not.equal("");
    const roles = Object.fromEntries(
      Object.entries(emails).map(([role, email]) => {
        expect(email, `the ${role}'s e-mail is printed`).to.include("@");
        const { user, tokens } = login(email, password);
        expect(user.emailVerified, `${email} is verified`).to.equal(true);
        expect(tokens.accessToken).to.match(/^ey/);
        return [role, user.roles];
      }),
    );
    expect(roles).to.deep.equal({
      organizer: ["ROLE_CUSTOMER", "ROLE_ORGANIZER"],
      customer: ["ROLE_CUSTOMER"],
      admin: ["ROLE_CUSTOMER", "ROLE_ADMIN"],
    });
    expect(output.join("\n")).to.include("marquee.identity.v1.IdentityService/Login");
  }

  /** An IdentityService call through the BFF's Connect JSON, as the web app makes it. */
  async function identityCall(method: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`http://127.0.0.1:${bffPort}/marquee.identity.v1.IdentityService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(answer)).to.equal(200);
    return answer;
  }

  /** Social sign-in through the BFF at the printed development provider, picking the dev user `sub`. */
  async function socialSignIn(sub: string): Promise<{ user: { id: string; email: string }; userCreated?: boolean }> {
    const started = await identityCall("StartSocialSignIn", { provider: "SOCIAL_PROVIDER_GOOGLE" });
    const callbackUrl = await signInAtProvider(started.authorizationUrl as string, { sub });
    expect(callbackUrl).to.match(new RegExp(`^http://localhost:${bffPort}/auth/callback/google\\?code=`));
    const signedIn = await identityCall("SignInWithSocial", {
      provider: "SOCIAL_PROVIDER_GOOGLE",
      callbackUrl,
      flowKey: started.flowKey,
    });
    return signedIn as { user: { id: string; email: string }; userCreated?: boolean };
  }

  it("starts the stack with demo data that grpcurl lists, and Ctrl-C leaves no process behind", async () => {
    const { launcher, output } = await launch(dataDir, portOffset);
    running = launcher;
    expect(output.join("\n")).to.include("demo data loaded");
    expectDemoAccountsSignIn(output);
    // The demo data belongs to the real organizer account: its own fresh token lists it as theirs.
    const { password, emails } = printedAccounts(output);
    const mine = JSON.parse(
      execFileSync(
        grpcurl,
        [
          "-plaintext",
          "-H",
          `authorization: Bearer ${login(emails.organizer ?? "", password).tokens.accessToken}`,
          "-d",
          '{"page_size": 100}',
          `127.0.0.1:${bffPort}`,
          "marquee.catalog.v1.CatalogService/ListMyEvents",
        ],
        { encoding: "utf8" },
      ),
    ) as { events?: unknown[] };
    expect(mine.events?.length ?? 0).to.be.greaterThan(3);

    const services = execFileSync(grpcurl, ["-plaintext", `127.0.0.1:${catalogPort}`, "list"], { encoding: "utf8" });
    // A service's own port lists its internal service too (for operators inside the cluster); the BFF's does not.
    expect(services).to.include("marquee.catalog.v1.CatalogService");

    const coach = listEvents().events.find((event) => event.category === "CATEGORY_BUS");
    expect(coach?.kind).to.equal("EVENT_KIND_TRIP");
    expect(coach?.stops?.map((stop) => stop.city)).to.deep.equal([
      "Dhaka",
      "Faridpur",
      "Jessore",
      "Benapole",
      "Kolkata",
    ]);

    const throughBff = execFileSync(grpcurl, ["-plaintext", `127.0.0.1:${bffPort}`, "list"], { encoding: "utf8" });
    expect(throughBff).to.include("marquee.catalog.v1.CatalogService");
    expect(throughBff).not.to.include("Internal");
    const viaFetch = await fetch(`http://127.0.0.1:${bffPort}/marquee.catalog.v1.CatalogService/ListEvents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ city: "Kolkata" }),
    });
    const kolkata = (await viaFetch.json()) as { events: Array<{ title: string }> };
    expect(kolkata.events.map((event) => event.title)).to.include("Dhaka → Kolkata (Diu Paribahan)");

    // The web app: built and served by the BFF on every page path, and with hot reload from Vite's
    // development server, which sends the RPCs on to the BFF.
    const page = await fetch(`http://127.0.0.1:${bffPort}/events/any-event`);
    expect(await page.text()).to.include('<div id="root">');
    const devUrl = `http://localhost:${fixedPorts.webDevServer + portOffset}`;
    expect(output.join("\n")).to.include(devUrl);
    const throughVite = await waitFor(
      "the web app's development server to forward an RPC",
      () =>
        fetch(`${devUrl}/marquee.catalog.v1.CatalogService/ListEvents`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ city: "Kolkata" }),
        }).then(
          (response) => (response.ok ? response.json() : undefined),
          () => undefined,
        ),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect((throughVite as typeof kolkata).events.map((event) => event.title)).to.include(
      "Dhaka → Kolkata (Diu Paribahan)",
    );
    expect(await (await fetch(`${devUrl}/`)).text()).to.include("/@vite/client");

    // Social sign-in at the development provider it prints: a new user gets an account; the dev user with
    // the demo customer's verified address is linked to that account, not given a second one.
    const oidcUrl = `http://localhost:${fixedPorts.devOidcProvider + portOffset}`;
    expect(output.join("\n")).to.include(oidcUrl);
    const ana = await socialSignIn("dev-ana");
    expect(ana.userCreated).to.equal(true);
    expect(ana.user.email).to.equal("ana.rahman@social.localhost");
    const customer = await socialSignIn("dev-demo-customer");
    expect(customer.userCreated ?? false).to.equal(false);
    expect(customer.user.id).to.equal(login(emails.customer ?? "", password).user.id);

    const started = descendants(launcher.pid as number);
    expect(started.length, "PostgreSQL, Redis and the services run under the launcher").to.be.greaterThan(3);
    expect(await stopWithCtrlC(launcher)).to.equal(0);
    // Helpers such as tsx's esbuild service end a moment after their parent: allow them a few seconds.
    let survivors = started.filter(isAlive);
    for (let waited = 0; survivors.length > 0 && waited < 5000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      survivors = survivors.filter(isAlive);
    }
    expect(survivors, "processes still running after Ctrl-C").to.deep.equal([]);
    expect(existsSync(join(dataDir, "postgres", "postmaster.pid")), "PostgreSQL shut down cleanly").to.equal(false);
  });

  it("reuses the data on a second start instead of loading the demo again", async () => {
    const { launcher, output } = await launch(dataDir, portOffset);
    running = launcher;
    expect(output.join("\n")).to.include("demo data already loaded");
    expect(listEvents().events.filter((event) => event.category === "CATEGORY_BUS")).to.have.length(1);
    // The same accounts, signed in again rather than registered.
    expect(output.join("\n")).to.not.include("registered and verified");
    expectDemoAccountsSignIn(output);
    expect(await stopWithCtrlC(launcher)).to.equal(0);
  });
});
