/**
 * The provider as a process (`npm start`): reads its variables, listens, logs its issuer and users as one
 * JSON line, and stops on SIGINT/SIGTERM.
 */
import { createLogger, loadConfigOrExit, stopGracefullyOnSignals } from "@marquee/mesh";
import { optionsOf, providerSettings } from "./config.js";
import { startDevOidcProvider } from "./server.js";

const config = loadConfigOrExit("dev-oidc-provider", providerSettings);
const log = createLogger("dev-oidc-provider", config.LOG_LEVEL);
const provider = await startDevOidcProvider({ ...optionsOf(config), log });
log.info(
  {
    issuer: provider.issuer,
    port: provider.port,
    client_id: config.CLIENT_ID,
    redirect_uris: config.REDIRECT_URIS,
    users: provider.users.map((user) => `${user.name} <${user.email}>${user.emailVerified ? "" : " (unverified)"}`),
  },
  "listening (state in memory: a restart forgets sessions and codes)",
);
stopGracefullyOnSignals(log, () => provider.close());
