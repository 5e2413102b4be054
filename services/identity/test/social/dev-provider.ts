import { randomBytes } from "node:crypto";
import { type DevClient, type DevOidcProvider, startDevOidcProvider } from "@marquee/dev-oidc-provider/server";
import { signInAtProvider } from "@marquee/dev-oidc-provider/testing";
import type { DevUser } from "@marquee/dev-oidc-provider/users";
import { useStarted } from "@marquee/mesh/testing";
import { SocialProvider } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { anonymous, as, newEmail, startIdentity, type TestIdentity } from "../support/testing.js";

/** Marquee's client at the test's provider, and the web app page the provider sends the browser back to. */
export const client: DevClient = {
  clientId: "marquee-test",
  clientSecret: "marquee-test-secret",
  redirectUris: ["http://marquee.test/app/auth/callback/google"],
};
export const redirectUri = client.redirectUris[0] as string;

/** A development user no other test has: a fresh `sub` and address. */
export function devUser(name: string, options: { emailVerified?: boolean; email?: string } = {}): DevUser {
  return {
    sub: `${name}-${randomBytes(4).toString("hex")}`,
    email: options.email ?? newEmail(name),
    emailVerified: options.emailVerified ?? true,
    name: `${name[0]?.toUpperCase()}${name.slice(1)} Tester`,
  };
}

/** A real dev provider playing Google with `users`, and identity configured for it, around a describe. */
export function useSocialIdentity(users: readonly DevUser[]): { provider: DevOidcProvider; env: TestIdentity } {
  const provider = useStarted("dev OIDC provider", () => startDevOidcProvider({ clients: [client], users }));
  // Identity starts second: its issuer setting is the provider's URL, known once the provider listens.
  const env = useStarted("identity", () =>
    startIdentity({
      settings: {
        SOCIAL_GOOGLE_ISSUER: provider.issuer,
        SOCIAL_GOOGLE_CLIENT_ID: client.clientId,
        SOCIAL_GOOGLE_CLIENT_SECRET: client.clientSecret,
        SOCIAL_GOOGLE_REDIRECT_URI: redirectUri,
      },
    }),
  );
  return { provider, env };
}

/** A flow started at identity and the user's answer at the provider: what the web app's callback page gets. */
export interface Callback {
  readonly callbackUrl: string;
  readonly flowKey: string;
  readonly state: string;
}

/** StartSocialSignIn, then the browser at the provider picking `user` (or cancelling). */
export async function callbackFor(env: TestIdentity, user: DevUser | "cancel"): Promise<Callback> {
  const started = await env.client.startSocialSignIn({ provider: SocialProvider.GOOGLE }, as({}));
  const callbackUrl = await signInAtProvider(
    started.authorizationUrl,
    user === "cancel" ? { cancel: true } : { sub: user.sub },
  );
  return { callbackUrl, flowKey: started.flowKey, state: started.state };
}

/** The whole flow through SignInWithSocial, through the BFF from `ip` when given. */
export async function signInAs(env: TestIdentity, user: DevUser, ip?: string) {
  const { callbackUrl, flowKey } = await callbackFor(env, user);
  return await env.client.signInWithSocial(
    { provider: SocialProvider.GOOGLE, callbackUrl, flowKey },
    await anonymous(ip),
  );
}
