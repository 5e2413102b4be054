import { defineRpc } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import type { Identity } from "../identity.js";
import { jwkMessage } from "../store/messages.js";

/**
 * IdentityService.GetJwks: every public key that verifies tokens now, newest first — a key waiting to
 * sign, the signing key, and retired keys whose tokens may not have expired yet. Served from memory:
 * the key ring reloads at each key check.
 */
export const getJwks = defineRpc(IdentityService.method.getJwks, {
  rules() {
    // GetJwksRequest has no fields.
  },
  handler(identity: Identity) {
    return async () => ({ keys: identity.keys.verificationKeys().map(jwkMessage) });
  },
});
