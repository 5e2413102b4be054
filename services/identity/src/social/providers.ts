import { Code, ConnectError, invalidArgument, type Logger } from "@marquee/mesh";
import type { SocialProvider } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import * as oidc from "openid-client";
import { type ProviderName, providerNameOf } from "../domain/social-providers.js";
import type { ProviderSettings } from "./config.js";

/** A configured provider with what discovery found: the openid-client configuration and its JWKS. */
export interface DiscoveredProvider {
  readonly settings: ProviderSettings;
  readonly client: oidc.Configuration;
  /** The provider's signing keys (its `jwks_uri`), for ID tokens an app brings itself. */
  readonly keys: JWTVerifyGetKey;
}

/** How long identity waits for a provider's discovery document, token endpoint or keys. */
const providerTimeoutS = 10;

/**
 * The providers identity is configured for. Each is discovered from its issuer's
 * `/.well-known/openid-configuration` on first use and kept; a failed discovery is not kept, so the next
 * call tries again (a provider down at start-up does not stop identity, nor stay broken).
 */
export class SocialProviders {
  readonly #settings: ReadonlyMap<ProviderName, ProviderSettings>;
  readonly #discovered = new Map<ProviderName, Promise<DiscoveredProvider>>();
  readonly #log: Logger;
  /** How long a started flow lasts. */
  readonly flowTtlMs: number;

  constructor(providers: readonly ProviderSettings[], options: { readonly flowTtlMs: number; readonly log: Logger }) {
    this.#settings = new Map(providers.map((provider) => [provider.name, provider]));
    this.flowTtlMs = options.flowTtlMs;
    this.#log = options.log;
  }

  /** The names of the configured providers. */
  get names(): ProviderName[] {
    return [...this.#settings.keys()];
  }

  /** A request's provider, discovered; INVALID_ARGUMENT naming `provider` when it is not configured. */
  async provider(provider: SocialProvider): Promise<DiscoveredProvider> {
    const name = providerNameOf(provider);
    const settings = name === undefined ? undefined : this.#settings.get(name);
    if (name === undefined || settings === undefined) {
      throw invalidArgument("provider", "is not configured on this server");
    }
    let discovered = this.#discovered.get(name);
    if (discovered === undefined) {
      discovered = this.#discover(settings);
      this.#discovered.set(name, discovered);
      discovered.catch(() => this.#discovered.delete(name));
    }
    return await discovered;
  }

  async #discover(settings: ProviderSettings): Promise<DiscoveredProvider> {
    let client: oidc.Configuration;
    try {
      client = await oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        { client_secret: settings.clientSecret },
        oidc.ClientSecretBasic(settings.clientSecret),
        {
          timeout: providerTimeoutS,
          // Only for an issuer on this machine (checked when the settings were read): the dev provider.
          ...(settings.isInsecureAllowed ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      );
    } catch (error) {
      this.#log.warn({ err: error, provider: settings.name, issuer: settings.issuer }, "OpenID discovery failed");
      throw new ConnectError(`${settings.name}: the provider's discovery document cannot be read`, Code.Unavailable);
    }
    const jwksUri = client.serverMetadata().jwks_uri;
    const keys: JWTVerifyGetKey =
      jwksUri === undefined
        ? async () => {
            throw new Error("the provider publishes no jwks_uri");
          }
        : createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: providerTimeoutS * 1000 });
    return { settings, client, keys };
  }
}
