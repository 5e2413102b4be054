/**
 * `npm start`: the whole stack on this machine, with demo data. Ctrl-C stops all of it.
 * `npm start -- --traces` also runs Jaeger (built by `npm run tools -- jaeger` on first use) and has every
 * process export its spans there over OTLP: one checkout is one trace, browser call to the tickets mail.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { devUsers } from "@marquee/dev-oidc-provider/users";
import { fixedPorts } from "./ports.js";
import { demoPassword, repoRoot, startStack } from "./stack.js";
import { tool, toolsBin } from "./tools.js";

const say = (line: string) => process.stdout.write(`  ${line}\n`);
process.stdout.write("Marquee is starting…\n");

/** Jaeger v2's own defaults: OTLP over HTTP on 4318, its UI on 16686, spans kept in memory. */
const jaegerPorts = { otlpHttp: 4318, ui: 16686 } as const;
const traceViewer = process.argv.includes("--traces") ? startJaeger() : undefined;

let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({
    say,
    ...(traceViewer
      ? {
          environment: {
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${jaegerPorts.otlpHttp}`,
            OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
          },
        }
      : {}),
  });
} catch (error) {
  traceViewer?.kill("SIGTERM");
  process.stderr.write(`\nMarquee could not start: ${(error as Error).message}\n`);
  process.exit(1);
}

/**
 * The web app with hot reload: Vite's development server, which sends every RPC to the BFF (see
 * web/vite.config.ts), so an edit under web/src shows in the browser at once. The BFF serves the built
 * copy too, at its own URL; social sign-in returns there, to the redirect URI registered at the provider.
 */
const webDevPort = fixedPorts.webDevServer + Number(process.env.MARQUEE_PORT_OFFSET ?? 0);
const webDevLog = join(stack.dataDir, "logs", "web-dev-server.log");
const webDevServer = stack.bffUrl
  ? spawn(process.execPath, [join(repoRoot, "node_modules", "vite", "bin", "vite.js"), "--host", "localhost"], {
      cwd: join(repoRoot, "web"),
      env: { ...process.env, PORT: String(webDevPort), MARQUEE_BFF_URL: stack.bffUrl },
      stdio: ["ignore", "pipe", "pipe"],
    })
  : undefined;
if (webDevServer) {
  const log = createWriteStream(webDevLog, { flags: "a" });
  webDevServer.stdout?.pipe(log);
  webDevServer.stderr?.pipe(log);
}

const grpcurl = existsSync(join(toolsBin, "grpcurl")) ? relative(process.cwd(), join(toolsBin, "grpcurl")) : "grpcurl";
const catalog = stack.services.find((s) => s.name === "catalog");
const identity = stack.services.find((s) => s.name === "identity");
const identityHost = stack.bffUrl ? new URL(stack.bffUrl).host : (identity?.address ?? "");
const tokensExpire = stack.demoAccounts.customer.tokens.expireTime;
const tokensUntil = tokensExpire ? timestampDate(tokensExpire).toTimeString().slice(0, 5) : "their expiry";
const lines = [
  "",
  `Ready. ${stack.demoData}.`,
  "",
  ...stack.services.map(
    (s) => `  ${s.name.padEnd(13)} grpc://${s.address}   metrics http://127.0.0.1:${s.metricsPort}/metrics`,
  ),
  "",
  ...(stack.bffUrl
    ? [
        `  Web app: ${stack.bffUrl} (built, served by the BFF)   with hot reload: http://localhost:${webDevPort}`,
        `    sign in as ${stack.demoAccounts.customer.email} / ${demoPassword}, pay with card 4242 4242 4242 4242`,
        "",
        `  BFF (public API for browsers, partners and internal teams): ${stack.bffUrl}`,
        `  ${grpcurl} -plaintext ${new URL(stack.bffUrl).host} list`,
        `  ${grpcurl} -plaintext -d '{"city": "Dhaka"}' ${new URL(stack.bffUrl).host} marquee.catalog.v1.CatalogService/ListEvents`,
        `  curl -s -H 'content-type: application/json' -d '{"city": "Dhaka"}' ${stack.bffUrl}/marquee.catalog.v1.CatalogService/ListEvents`,
      ]
    : []),
  ...(catalog ? ["", `  A service directly: ${grpcurl} -plaintext ${catalog.address} list`] : []),
  "",
  `  Payment gateway simulator (the PSP stand-in): ${stack.paymentGatewayUrl}`,
  "    card 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 lacks funds",
  `    a card token: curl -s -H 'content-type: application/json' -d '{"card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}' ${stack.paymentGatewayUrl}/v1/tokens`,
  ...(grpcurl === "grpcurl" ? ["  (no grpcurl? `npm run tools -- grpcurl` builds it into .tools/bin)"] : []),
  "",
  `  Social sign-in: "Google" is a local OpenID provider at ${stack.devOidcProviderUrl}; pick one of its users, no password:`,
  ...devUsers.map(
    (user) =>
      `    ${user.name.padEnd(15)} ${user.email}${user.emailVerified ? "" : "   (email not verified: Marquee refuses it)"}`,
  ),
  "    (the first has the demo customer's address, so it links to that account; the others get new accounts)",
  `    1. ${grpcurl} -plaintext -d '{"provider": "SOCIAL_PROVIDER_GOOGLE"}' ${identityHost} marquee.identity.v1.IdentityService/StartSocialSignIn`,
  "    2. open its authorizationUrl in a browser and pick a user; the browser lands on the web app's /auth/callback/google?code=…",
  `    3. ${grpcurl} -plaintext -d '{"provider": "SOCIAL_PROVIDER_GOOGLE", "callback_url": "<that URL>", "flow_key": "<flowKey of step 1>"}' ${identityHost} marquee.identity.v1.IdentityService/SignInWithSocial`,
  "",
  `  Demo accounts (real identity accounts, verified; password for each: ${demoPassword}):`,
  `    organizer  ${stack.demoAccounts.organizer.email}   (owns the demo data)`,
  `    customer   ${stack.demoAccounts.customer.email}`,
  `    admin      ${stack.demoAccounts.admin.email}`,
  `  A fresh token: ${grpcurl} -plaintext -d '{"email": "${stack.demoAccounts.customer.email}", "password": "${demoPassword}"}' ${stack.bffUrl ? new URL(stack.bffUrl).host : (identity?.address ?? "")} marquee.identity.v1.IdentityService/Login`,
  "",
  `  Their access tokens, signed by identity, valid until ${tokensUntil} (an hour: the launcher's ACCESS_TOKEN_TTL_S; add -H 'authorization: Bearer <token>'):`,
  `    organizer  ${stack.tokens.organizer}`,
  `    customer   ${stack.tokens.customer}`,
  `    admin      ${stack.tokens.admin}`,
  "",
  traceViewer
    ? `  Traces (Jaeger): http://localhost:${jaegerPorts.ui}   every process exports its spans there`
    : "  Traces: `npm start -- --traces` runs Jaeger too, and every process sends it its spans",
  `  Logs: ${relative(repoRoot, join(stack.dataDir, "logs"))}/<service>.log    Ctrl-C stops everything.`,
  "",
];
process.stdout.write(`${lines.join("\n")}\n`);

stack.died.then(({ name, code, logFile }) => {
  process.stderr.write(
    `\n${name} stopped unexpectedly (exit ${code}). Its log: ${relative(process.cwd(), logFile)}\n` +
      "The rest keeps running; fix the cause, then Ctrl-C and `npm start` again.\n",
  );
});

let isStopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (isStopping) return;
    isStopping = true;
    process.stdout.write("\nStopping…\n");
    webDevServer?.kill("SIGTERM");
    traceViewer?.kill("SIGTERM");
    stack.stop().then(
      () => {
        process.stdout.write("Stopped. Nothing is left running.\n");
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stop failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  });
}

/** Jaeger all-in-one with its built-in configuration, its output in `<data dir>/logs/jaeger.log`. */
function startJaeger() {
  say("trace viewer: Jaeger v2 (building it first if .tools/bin has none: minutes, once)…");
  const jaeger = spawn(tool("jaeger"), [], { stdio: ["ignore", "pipe", "pipe"] });
  const logDir = join(process.env.MARQUEE_DATA_DIR ?? join(repoRoot, ".data"), "logs");
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, "jaeger.log"), { flags: "a" });
  jaeger.stdout?.pipe(log);
  jaeger.stderr?.pipe(log);
  return jaeger;
}
