import type { Checker } from "@marquee/mesh";
import { SocialProvider } from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import { checkGiven } from "../rpc/request-rules.js";
import type { ProviderProof } from "./provider-account.js";

/** Longest callback URL accepted: a code, a state and an issuer fit many times over. */
const maxCallbackUrl = 4000;
/** Longest ID token accepted: real ones are 1 to 2 kB. */
const maxIdToken = 16_000;

/** A provider given (configured or not is the handler's to say: it needs the settings). */
export function checkProvider(check: Checker, provider: SocialProvider): void {
  check.that("provider", provider !== SocialProvider.UNSPECIFIED, "is required");
}

/**
 * The proof of a provider account in SignInWithSocial and LinkSocialAccount: either a flow's callback with
 * its key, or an ID token with its nonce, never a mix.
 */
export function checkProof(check: Checker, proof: ProviderProof): void {
  checkProvider(check, proof.provider);
  if (proof.callbackUrl !== "") {
    check.maxLength("callback_url", proof.callbackUrl, maxCallbackUrl);
    checkGiven(check, "flow_key", proof.flowKey, 100);
    check.that("id_token", proof.idToken === "", "must be empty with callback_url");
    check.that("nonce", proof.nonce === "", "must be empty with callback_url");
    return;
  }
  checkGiven(check, "id_token", proof.idToken, maxIdToken);
  checkGiven(check, "nonce", proof.nonce, 500);
  check.that("flow_key", proof.flowKey === "", "must be empty without callback_url");
}
