import { createHash } from "node:crypto";

/**
 * Payment's sensitive columns (the gateway's payment-intent and refund ids, the card token until it is
 * spent, the card's brand and last four digits) are sealed with the mesh's AES-256-GCM field cipher
 * (`@marquee/mesh`, services/mesh/src/crypto/field-cipher.ts, shared with identity's TOTP secrets) under
 * `PAYMENT_ENCRYPTION_KEYS`; `resealPayments` moves rows to a new current key. What stays here is
 * payment's development key.
 */
export { FieldCipher, type Keyring, keyIdOf, parseKeys } from "@marquee/mesh";

/**
 * The development keyring's only entry, kid `dev`: derived from a fixed phrase, so anyone can compute it.
 * For local runs and tests only; `PAYMENT_ENCRYPTION_KEYS` must be set anywhere real card data exists.
 */
export const devKeyId = "dev";
export const devKeys = `${devKeyId}:${createHash("sha256").update("marquee payment dev key - NOT SECRET").digest("base64")}`;
