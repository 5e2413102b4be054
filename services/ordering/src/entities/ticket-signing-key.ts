import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * An Ed25519 key tickets are signed with, by key id: the newest signs, every one verifies, so a key rotates
 * without voiding the tickets it signed. PEM (PKCS#8 private, SPKI public).
 */
export const TicketSigningKeyEntity = defineEntity({
  name: "TicketSigningKey",
  tableName: "ticket_signing_key",
  properties: {
    id: p.text().primary(),
    privateKey: p.text(),
    publicKey: p.text(),
    createTime: p.datetime(),
  },
});

/** A row of the ticket_signing_key table. */
export type TicketSigningKeyEntity = InferEntity<typeof TicketSigningKeyEntity>;
