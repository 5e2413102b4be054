import { SocialProvider } from "@marquee/proto/marquee/identity/v1/resources_pb.js";

/**
 * Providers as identity stores them (`social_link.provider`, `social_flow.provider`) and names their
 * variables (`SOCIAL_GOOGLE_ISSUER`): lower-case words, one per SocialProvider of the contract.
 */
export type ProviderName = "google" | "apple" | "microsoft";

const names: ReadonlyArray<readonly [SocialProvider, ProviderName]> = [
  [SocialProvider.GOOGLE, "google"],
  [SocialProvider.APPLE, "apple"],
  [SocialProvider.MICROSOFT, "microsoft"],
];

/** The stored name of a provider; undefined for SOCIAL_PROVIDER_UNSPECIFIED (or one this version does not know). */
export function providerNameOf(provider: SocialProvider): ProviderName | undefined {
  return names.find(([known]) => known === provider)?.[1];
}

/** The contract's provider of a stored name; UNSPECIFIED for a name this version does not know. */
export function socialProviderOf(name: string): SocialProvider {
  return names.find(([, known]) => known === name)?.[0] ?? SocialProvider.UNSPECIFIED;
}
