/**
 * The local stack as a library: `startStack()` starts what `npm start` starts — PostgreSQL, Redis, the
 * development keys, migrations, every service that exists, the demo accounts, demo data — and returns its
 * addresses, the demo accounts' tokens and `stop()`. End-to-end tests start exactly this.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultClient as devOidcClient } from "@marquee/dev-oidc-provider/clients";
import { createClient, ensureDevKeys, type ServiceDeclaration, upstreamVariableOf } from "@marquee/mesh";
import {
  ensureRedisServer,
  type LocalPostgres,
  launchRedisServer,
  type MailSink,
  type ReceivedMail,
  startLocalPostgres,
  startMailSink,
} from "@marquee/mesh/local";
import { Health, HealthCheckResponse_ServingStatus } from "@marquee/proto/health/v1/health_pb.js";
import { type DemoAccount, type DemoRole, signInDemoAccounts } from "./demo-accounts.js";
import { loadDemoData } from "./demo-data.js";
import { fixedPorts, serviceNamed, services as stackServices } from "./ports.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The built web app the BFF serves (`npm run build -w @marquee/web`). */
export const webAppDir = join(repoRoot, "web", "dist", "app");

export { demoAccounts, demoPassword } from "./demo-accounts.js";

/**
 * How long identity's access tokens live in the local stack: its longest (an hour), not its 15-minute
 * default, so the demo tokens `npm start` prints stay useful for a while. `ACCESS_TOKEN_TTL_S` overrides.
 */
const localAccessTokenTtlS = "3600";

export interface StackOptions {
  /** Where PostgreSQL, Redis, keys and logs live. @default `<repo>/.data` (or `MARQUEE_DATA_DIR`) */
  readonly dataDir?: string;
  /** Added to every port of the table. @default `MARQUEE_PORT_OFFSET` or 0 */
  readonly portOffset?: number;
  /** Progress lines, for a person watching. @default nothing */
  readonly say?: (line: string) => void;
  /** The services' `LOG_LEVEL`. @default "info" */
  readonly logLevel?: string;
  /**
   * Whether the BFF applies its rate limits (`RATE_LIMITS`), as `npm start` does. Tests and benchmarks
   * that load the BFF harder than any person would, and are not about the limits, pass false.
   * @default true
   */
  readonly isRateLimited?: boolean;
  /** Variables for the BFF beyond the launcher's own, e.g. a test's `RATE_LIMIT_EXEMPT`. */
  readonly bffEnvironment?: Readonly<Record<string, string>>;
  /**
   * Variables for every process the launcher starts, over its own: e.g. `OTEL_EXPORTER_OTLP_ENDPOINT`, so
   * every process exports its spans to one trace viewer or a test's receiver.
   */
  readonly environment?: Readonly<Record<string, string>>;
}

export interface RunningService {
  readonly name: string;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly metricsPort: number;
  readonly logFile: string;
}

export interface Stack {
  readonly dataDir: string;
  /** The BFF's URL (`http://localhost:<port>`): browsers, partners' grpcurl, internal teams. */
  readonly bffUrl: string | undefined;
  /** The payment gateway simulator's URL: where a browser (or a test) tokenizes a card. */
  readonly paymentGatewayUrl: string;
  /** The development OpenID provider playing Google (its issuer): identity's SOCIAL_GOOGLE_ISSUER. */
  readonly devOidcProviderUrl: string;
  /** The local mail sink every mail of the stack goes to (`SMTP_URL`); each is also a file in `<dataDir>/mail`. */
  readonly mail: MailSink;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly services: readonly RunningService[];
  /**
   * The demo accounts' access tokens, issued by identity (an hour in the local stack): the organizer owns
   * the demo data. Tests that need other users mint their own with the development key.
   */
  readonly tokens: { readonly organizer: string; readonly customer: string; readonly admin: string };
  /** The demo accounts: real identity accounts, their e-mail, password, user id and session. */
  readonly demoAccounts: Readonly<Record<DemoRole, DemoAccount>>;
  /** What demo data loading did: loaded now, or found from an earlier run. */
  readonly demoData: string;
  /** Resolves with the name and exit code of the first process that dies while the stack runs. */
  readonly died: Promise<{ readonly name: string; readonly code: number | null; readonly logFile: string }>;
  /** Stops every process it started, services first, and waits until each has exited. */
  stop(): Promise<void>;
}

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
}

/** Starts the stack. On failure it stops what it had started and rethrows. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = options.dataDir ?? process.env.MARQUEE_DATA_DIR ?? join(repoRoot, ".data");
  const offset = options.portOffset ?? Number(process.env.MARQUEE_PORT_OFFSET ?? 0);
  const say = options.say ?? (() => {});
  const logDir = join(dataDir, "logs");
  await mkdir(logDir, { recursive: true });

  const children: Child[] = [];
  let postgres: LocalPostgres | undefined;
  let mail: MailSink | undefined;
  let isStopping = false;
  let reportDeath: (death: { name: string; code: number | null; logFile: string }) => void = () => {};
  const died = new Promise<{ name: string; code: number | null; logFile: string }>((resolve) => {
    reportDeath = resolve;
  });

  const stop = async () => {
    isStopping = true;
    for (const child of [...children].reverse()) await terminate(child.process);
    await mail?.close();
    await postgres?.stop();
  };

  const watch = (name: string, child: ChildProcess, logFile: string): Child => {
    child.once("exit", (code) => {
      if (!isStopping) reportDeath({ name, code, logFile });
    });
    const entry = { name, process: child, logFile };
    children.push(entry);
    return entry;
  };

  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) {
      say(`PostgreSQL: using DATABASE_URL`);
    } else {
      const dir = join(dataDir, "postgres");
      await mkdir(dir, { recursive: true });
      postgres = await startLocalPostgres({ dir, port: fixedPorts.postgres + offset, profile: "dev" });
      databaseUrl = postgres.url;
      say(`PostgreSQL (embedded, from npm) on 127.0.0.1:${fixedPorts.postgres + offset}, data in ${dir}`);
    }

    let redisUrl = process.env.REDIS_URL;
    if (redisUrl) {
      say("Redis: using REDIS_URL");
    } else {
      ensureRedisServer(say);
      const dir = join(dataDir, "redis");
      await mkdir(dir, { recursive: true });
      const redis = await launchRedisServer({ port: fixedPorts.redis + offset, dir, isPersistent: true });
      watch("redis", redis, join(dir, "redis.log"));
      redisUrl = `redis://127.0.0.1:${fixedPorts.redis + offset}`;
      say(`Redis on 127.0.0.1:${fixedPorts.redis + offset}`);
    }

    const mailDir = join(dataDir, "mail");
    await mkdir(mailDir, { recursive: true });
    const sink = await startMailSink({
      port: fixedPorts.mailSink + offset,
      onMail: async (received) => {
        const file = join(mailDir, mailFileName(received));
        await writeFile(file, received.raw);
        say(`mail to ${received.to.join(", ")}: "${received.subject}" ${received.links[0] ?? ""} (${file})`);
      },
    });
    mail = sink;
    say(`mail sink (SMTP) on ${sink.url}: every mail is kept in ${mailDir}`);

    const keys = await ensureDevKeys(join(dataDir, "keys"));
    /** What every process the launcher starts is told: its ports, the stores, the keys, its name. */
    const environment = (
      name: string,
      port: number,
      metricsPort: number,
      upstreams: Record<string, string>,
    ): NodeJS.ProcessEnv => ({
      ...process.env,
      ...options.environment,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      AUTH_JWKS_URL: keys.jwksPath,
      AUTH_SIGNING_KEY_FILE: keys.signingKeyPath,
      OTEL_SERVICE_NAME: name,
      LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? "info",
      ...Object.fromEntries(
        Object.entries(upstreams).map(([upstream, address]) => [upstreamVariableOf(upstream), address]),
      ),
    });
    const addressOf = (name: string) => `127.0.0.1:${serviceNamed(name).ports.grpc + offset}`;
    const gatewayUrl = `http://127.0.0.1:${fixedPorts.paymentGateway + offset}`;
    const webhookPort = fixedPorts.paymentWebhooks + offset;
    /** What a service needs beyond the common variables, where the local stack differs from its defaults. */
    const bffUrl = `http://localhost:${fixedPorts.bff + offset}`;
    const oidcUrl = `http://localhost:${fixedPorts.devOidcProvider + offset}`;
    // The web app's page the provider sends the browser back to, registered at the dev provider.
    const googleRedirectUri = `${bffUrl}/auth/callback/google`;
    const localWiring: Readonly<Record<string, NodeJS.ProcessEnv>> = {
      payment: { GATEWAY_URL: gatewayUrl, WEBHOOK_PORT: String(webhookPort) },
      notification: { SMTP_URL: sink.url },
      // Identity adds its signing keys to the development JWKS file every process verifies with.
      identity: {
        JWKS_FILE: keys.jwksPath,
        SMTP_URL: sink.url,
        APP_URL: bffUrl,
        ACCESS_TOKEN_TTL_S: process.env.ACCESS_TOKEN_TTL_S ?? localAccessTokenTtlS,
        // Social sign-in with "Google": the development provider below.
        SOCIAL_GOOGLE_ISSUER: oidcUrl,
        SOCIAL_GOOGLE_CLIENT_ID: devOidcClient.clientId,
        SOCIAL_GOOGLE_CLIENT_SECRET: devOidcClient.clientSecret,
        SOCIAL_GOOGLE_REDIRECT_URI: googleRedirectUri,
      },
    };
    const serviceEnvironment = (service: ServiceDeclaration) => ({
      ...environment(
        service.name,
        service.ports.grpc + offset,
        service.ports.metrics + offset,
        Object.fromEntries(Object.keys(service.upstreams).map((upstream) => [upstream, addressOf(upstream)])),
      ),
      // Every service polls identity's revoked-subjects list (a disabled user refused within seconds);
      // identity itself needs not: it reads the account on every signed-in call.
      ...(service.name === "identity" ? {} : { IDENTITY_ADDR: addressOf("identity") }),
      ...localWiring[service.name],
    });

    {
      // The PSP stand-in: test cards, signed webhooks to the payment service, tokenization from the web app.
      const logFile = join(logDir, "payment-gateway.log");
      const env = {
        ...environment("payment-gateway", fixedPorts.paymentGateway + offset, 0, {}),
        WEBHOOK_URLS: `http://127.0.0.1:${webhookPort}/webhooks/gateway`,
        // The web app tokenizes cards here from the BFF's origin, and from Vite's in development.
        ALLOWED_ORIGINS: [fixedPorts.bff, fixedPorts.webDevServer]
          .flatMap((port) => [`http://localhost:${port + offset}`, `http://127.0.0.1:${port + offset}`])
          .join(","),
      };
      const child = watch(
        "payment-gateway",
        tsx(join("services", "payment-gateway", "src", "main.ts"), env, logFile),
        logFile,
      );
      await waitUntilReady(child, `${gatewayUrl}/healthz`);
      say(`payment gateway simulator on ${gatewayUrl} (test cards: services/payment-gateway/README.md)`);
    }

    {
      // "Google" for social sign-in: a real OpenID provider with development users and identity's client.
      const logFile = join(logDir, "dev-oidc-provider.log");
      const env = {
        ...environment("dev-oidc-provider", fixedPorts.devOidcProvider + offset, 0, {}),
        HOST: "127.0.0.1",
        ISSUER: oidcUrl,
        REDIRECT_URIS: googleRedirectUri,
      };
      const child = watch(
        "dev-oidc-provider",
        tsx(join("services", "dev-oidc-provider", "src", "main.ts"), env, logFile),
        logFile,
      );
      await waitUntilReady(child, `http://127.0.0.1:${fixedPorts.devOidcProvider + offset}/healthz`);
      say(`development OpenID provider ("Google") on ${oidcUrl}`);
    }

    for (const service of stackServices) {
      if (service.database === undefined) continue;
      const logFile = join(logDir, `${service.name}.log`);
      const migration = tsx(join("services", service.name, "src", "migrate.ts"), serviceEnvironment(service), logFile);
      const [code] = (await once(migration, "exit")) as [number | null];
      if (code !== 0) throw new Error(`migrations of ${service.name} failed (exit ${code}); see ${logFile}`);
      say(`migrated ${service.name}`);
    }

    const services: RunningService[] = [];
    for (const service of stackServices) {
      const logFile = join(logDir, `${service.name}.log`);
      const child = watch(
        service.name,
        tsx(join("services", service.name, "src", "server.ts"), serviceEnvironment(service), logFile),
        logFile,
      );
      const address = addressOf(service.name);
      const metricsPort = service.ports.metrics + offset;
      await waitUntilServing(child, address);
      services.push({ name: service.name, address, metricsPort, logFile });
      say(`${service.name} serving on ${address} (metrics :${metricsPort})`);
    }

    // Real accounts, once identity serves: registered, verified and given their roles on a first start,
    // signed in on the next.
    const identityService = serviceNamed("identity");
    const accounts = await signInDemoAccounts({
      identityAddress: addressOf("identity"),
      mail: sink,
      grantRole: async (email, role) => {
        const logFile = join(logDir, "identity-grant-role.log");
        const grant = tsx(
          join("services", "identity", "src", "grant-role.ts"),
          { ...serviceEnvironment(identityService), LOG_LEVEL: "warn" },
          logFile,
          [email, role],
        );
        const [code] = (await once(grant, "exit")) as [number | null];
        if (code !== 0) throw new Error(`grant-role ${email} ${role} failed (exit ${code}); see ${logFile}`);
        say(`granted ${role} to ${email} (npm run -w @marquee/identity grant-role)`);
      },
      say,
    });
    const tokens = {
      organizer: accounts.organizer.tokens.accessToken,
      customer: accounts.customer.tokens.accessToken,
      admin: accounts.admin.tokens.accessToken,
    };

    let servedBffUrl: string | undefined;
    if (existsSync(join(repoRoot, "bff", "src", "server.ts"))) {
      const port = fixedPorts.bff + offset;
      const logFile = join(logDir, "bff.log");
      // The BFF forwards to every service that runs: CATALOG_ADDR and so on; IDENTITY_ADDR is also where
      // it polls the revoked-subjects list, with its service token (AUTH_SIGNING_KEY_FILE).
      // Its rate limits keep their token buckets in the stack's Redis (REDIS_URL). It serves the web app,
      // built first when it is not, and tells it where cards are tokenized.
      await ensureWebAppBuilt(say);
      const env = {
        ...environment(
          "bff",
          port,
          fixedPorts.bffMetrics + offset,
          Object.fromEntries(services.map((s) => [s.name, s.address])),
        ),
        WEB_APP_DIR: webAppDir,
        PAYMENT_GATEWAY_PUBLIC_URL: gatewayUrl,
        SOCIAL_PROVIDERS: "google",
        ...(options.isRateLimited === false ? { RATE_LIMITS: "off" } : {}),
        ...options.bffEnvironment,
      };
      const child = watch("bff", tsx(join("bff", "src", "server.ts"), env, logFile), logFile);
      await waitUntilReady(child, `http://127.0.0.1:${port}/readyz`);
      servedBffUrl = bffUrl;
      const limits = env.RATE_LIMITS === "off" ? "rate limits off" : "rate limits on (RATE_LIMITS=off turns them off)";
      say(`BFF serving on ${bffUrl} (Connect, gRPC-Web, gRPC; ${limits}; metrics :${fixedPorts.bffMetrics + offset})`);
    }

    const catalog = services.find((s) => s.name === "catalog");
    const demoData = catalog ? await loadDemoData(catalog.address, tokens.organizer, say) : "no catalog service yet";

    return {
      dataDir,
      bffUrl: servedBffUrl,
      paymentGatewayUrl: gatewayUrl,
      devOidcProviderUrl: oidcUrl,
      mail: sink,
      databaseUrl,
      redisUrl,
      services,
      tokens,
      demoAccounts: accounts,
      demoData,
      died,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Builds the web app with Vite unless a build is there (`npm test` builds it afresh before the tests; a
 * developer's edits reach the browser through `npm start`'s development server instead).
 */
async function ensureWebAppBuilt(say: (line: string) => void): Promise<void> {
  if (existsSync(join(webAppDir, "index.html"))) return;
  say("building the web app (vite build, once)…");
  const build = spawn(process.execPath, [join(repoRoot, "node_modules", "vite", "bin", "vite.js"), "build"], {
    cwd: join(repoRoot, "web"),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const [code] = (await once(build, "exit")) as [number | null];
  if (code !== 0) throw new Error(`the web app's build failed (exit ${code})`);
}

/** `2026-12-07T14-03-22.120Z-ana@example.com.eml`: sorted by arrival, named by recipient. */
function mailFileName(mail: ReceivedMail): string {
  const time = new Date().toISOString().replaceAll(":", "-");
  const to = (mail.to[0] ?? "unknown").replace(/[^\w.@+-]/g, "_");
  return `${time}-${to}.eml`;
}

/** Runs a TypeScript entry point with this Node (24) through tsx, its output appended to `logFile`. */
function tsx(entry: string, env: NodeJS.ProcessEnv, logFile: string, args: readonly string[] = []): ChildProcess {
  const log = createWriteStream(logFile, { flags: "a" });
  // Telemetry preloaded, before the entry's imports are even loaded: an ES module graph is loaded whole
  // before any of it runs, so instrumentation set up by the entry's first import would miss ioredis.
  const child = spawn(process.execPath, ["--import", "tsx", "--import", "@marquee/mesh/telemetry", entry, ...args], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once("exit", () => log.end());
  return child;
}

/**
 * The error for a process that died before it was ready, quoting the end of its log: the log lives in the
 * data directory, which a test removes, and the reason (a port taken, a bad setting) is in its last lines.
 */
function exitedWhileStarting(child: Child): Error {
  const lastLines = existsSync(child.logFile)
    ? readFileSync(child.logFile, "utf8").trimEnd().split("\n").slice(-8)
    : [];
  return new Error(
    `${child.name} exited with ${child.process.exitCode} while starting; see ${child.logFile}, which ends:\n${lastLines.join("\n")}`,
  );
}

/** Polls `grpc.health.v1` until the service reports SERVING; fails fast if the process dies first. */
async function waitUntilServing(child: Child, address: string, timeoutMs = 60_000): Promise<void> {
  const health = createClient(Health, {
    address,
    timeoutMs: 1000,
    retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.process.exitCode !== null) {
        throw exitedWhileStarting(child);
      }
      const status = await health.check({ service: "" }).then(
        (response) => response.status,
        () => undefined,
      );
      if (status === HealthCheckResponse_ServingStatus.SERVING) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${child.name} did not report SERVING within ${timeoutMs / 1000} s; see ${child.logFile}`);
  } finally {
    health.close();
  }
}

/** Polls an HTTP readiness probe until it answers 200; fails fast if the process dies first. */
async function waitUntilReady(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw exitedWhileStarting(child);
    }
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${child.name} was not ready within ${timeoutMs / 1000} s; see ${child.logFile}`);
}

/** SIGTERM, then SIGKILL after the services' drain time has passed. */
async function terminate(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
