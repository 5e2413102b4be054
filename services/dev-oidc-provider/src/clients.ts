/** A client registered at the provider: Marquee's identity service, or a test's. */
export interface DevClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The exact redirect URIs the client may ask for. */
  readonly redirectUris: readonly string[];
}

/**
 * The client `npm start` registers for identity, unless told otherwise: its secret is printed in the
 * repository, so it is good for nothing but this local provider.
 */
export const defaultClient: DevClient = {
  clientId: "marquee-dev",
  clientSecret: "marquee-dev-secret-not-for-production",
  redirectUris: ["http://localhost:8080/auth/callback/google"],
};
