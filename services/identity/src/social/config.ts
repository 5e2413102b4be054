import { integer, secret, string } from "@marquee/mesh";
import type { ProviderName } from "../domain/social-providers.js";

/**
 * The OpenID Connect providers identity may sign users in with, one group of variables each: a provider
 * is on when its issuer is set. Apple is not offered: its client secret is a JWT that expires within six
 * months and its callback is a form post, neither of which these settings cover yet.
 */
export const configurableProviders = ["google", "microsoft"] as const satisfies readonly ProviderName[];

const issuerDoc = (label: string, example: string) =>
  `${label}'s issuer URL (${example}; http only on a loopback host, the local dev provider), whose /.well-known/openid-configuration identity reads; empty: ${label} sign-in off`;
const redirectDoc = (label: string, provider: string) =>
  `the redirect URI registered at ${label}: the web app's callback page, e.g. https://marquee.example/auth/callback/${provider}; required with the issuer`;

/** Identity's social sign-in variables, spread into its settings. */
export const socialSettings = {
  SOCIAL_GOOGLE_ISSUER: string(issuerDoc("Google", "https://accounts.google.com"), ""),
  SOCIAL_GOOGLE_CLIENT_ID: string("Marquee's client id at Google; required with the issuer", ""),
  SOCIAL_GOOGLE_CLIENT_SECRET: secret("Marquee's client secret at Google (client_secret_basic)", ""),
  SOCIAL_GOOGLE_REDIRECT_URI: string(redirectDoc("Google", "google"), ""),
  SOCIAL_MICROSOFT_ISSUER: string(issuerDoc("Microsoft", "https://login.microsoftonline.com/<tenant id>/v2.0"), ""),
  SOCIAL_MICROSOFT_CLIENT_ID: string("Marquee's client id at Microsoft; required with the issuer", ""),
  SOCIAL_MICROSOFT_CLIENT_SECRET: secret("Marquee's client secret at Microsoft (client_secret_basic)", ""),
  SOCIAL_MICROSOFT_REDIRECT_URI: string(redirectDoc("Microsoft", "microsoft"), ""),
  SOCIAL_FLOW_TTL_S: integer(
    "how long a sign-in begun with StartSocialSignIn may take to come back with its callback, in seconds",
    600,
    { min: 10, max: 3600 },
  ),
};

/** A configured provider: where it is and who Marquee is there. */
export interface ProviderSettings {
  readonly name: ProviderName;
  /** The issuer identifier, exactly as the provider's discovery document and ID tokens have it. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** Plain HTTP to the provider: only for an issuer on a loopback host (the local dev provider). */
  readonly isInsecureAllowed: boolean;
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The providers the variables turn on. Throws listing every problem at once (an issuer without a client
 * id, a redirect URI that is not a URL, plain HTTP to a host that is not this machine), as the config
 * loader does, so start-up stops naming them all.
 */
export function providersOf(config: Readonly<Record<string, unknown>>): ProviderSettings[] {
  const problems: string[] = [];
  const providers: ProviderSettings[] = [];
  for (const name of configurableProviders) {
    const prefix = `SOCIAL_${name.toUpperCase()}`;
    const read = (suffix: string) => String(config[`${prefix}_${suffix}`] ?? "");
    const issuer = read("ISSUER");
    if (issuer === "") continue;
    const clientId = read("CLIENT_ID");
    const redirectUri = read("REDIRECT_URI");
    let isInsecureAllowed = false;
    try {
      const url = new URL(issuer);
      if (url.protocol === "http:" && loopbackHosts.has(url.hostname)) isInsecureAllowed = true;
      else if (url.protocol !== "https:")
        problems.push(`${prefix}_ISSUER: must be an https URL (http only on localhost)`);
    } catch {
      problems.push(`${prefix}_ISSUER: must be a URL`);
    }
    if (clientId === "") problems.push(`${prefix}_CLIENT_ID: is required when ${prefix}_ISSUER is set`);
    try {
      const url = new URL(redirectUri);
      if (!["http:", "https:"].includes(url.protocol) || url.search !== "" || url.hash !== "") {
        problems.push(`${prefix}_REDIRECT_URI: must be an http(s) URL without query or fragment`);
      }
    } catch {
      problems.push(`${prefix}_REDIRECT_URI: must be a URL (required when ${prefix}_ISSUER is set)`);
    }
    providers.push({ name, issuer, clientId, clientSecret: read("CLIENT_SECRET"), redirectUri, isInsecureAllowed });
  }
  if (problems.length > 0) throw new Error(`invalid social sign-in configuration:\n  ${problems.join("\n  ")}`);
  return providers;
}
