import { oneOf, port, type Setting, secret, string, type Values } from "@marquee/mesh";
import { type DevClient, defaultClient } from "./clients.js";
import type { DevOidcProviderOptions } from "./server.js";

/** Comma-separated http(s) URLs; at least one. */
function urls(doc: string, defaultValue: readonly string[]): Setting<readonly string[]> {
  return {
    doc,
    defaultValue,
    isSecret: false,
    parse(raw) {
      const items = raw
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
      if (items.length === 0) throw new Error("must list at least one URL");
      for (const item of items) {
        let parsed: URL;
        try {
          parsed = new URL(item);
        } catch {
          throw new Error(`"${item}" is not a URL`);
        }
        if (!["http:", "https:"].includes(parsed.protocol)) throw new Error(`"${item}" is not an http(s) URL`);
      }
      return items;
    },
  };
}

/** The process's variables, read once by `src/main.ts`. The defaults are the launcher's. */
export const providerSettings = {
  PORT: port("HTTP port", 8092),
  HOST: string("address to listen on", "127.0.0.1"),
  ISSUER: string(
    "issuer identifier, as browsers and identity reach the provider; identity's SOCIAL_GOOGLE_ISSUER must equal it; empty: http://localhost:<PORT>",
    "",
  ),
  CLIENT_ID: string("client id of the one registered client (Marquee's identity service)", defaultClient.clientId),
  CLIENT_SECRET: secret("that client's secret (client_secret_basic)", defaultClient.clientSecret),
  REDIRECT_URIS: urls("comma-separated redirect URIs the client may use", defaultClient.redirectUris),
  LOG_LEVEL: oneOf("pino log level", ["trace", "debug", "info", "warn", "error", "fatal", "silent"], "info"),
};

/** The options `startDevOidcProvider` takes for these variables (all but the logger). */
export function optionsOf(config: Values<typeof providerSettings>): DevOidcProviderOptions {
  const client: DevClient = {
    clientId: config.CLIENT_ID,
    clientSecret: config.CLIENT_SECRET,
    redirectUris: config.REDIRECT_URIS,
  };
  return {
    port: config.PORT,
    host: config.HOST,
    ...(config.ISSUER !== ""
      ? { issuer: config.ISSUER.replace(/\/$/, "") }
      : config.PORT !== 0
        ? { issuer: `http://localhost:${config.PORT}` }
        : {}),
    clients: [client],
  };
}
