import type { Database } from "@marquee/mesh";
import type { FieldCipher } from "../crypto/field-cipher.js";
import { placeOf } from "./payments.js";

/** The sealed columns, by table: what a rotation moves to the current key. */
const sealedColumns = {
  payment: ["provider_intent_id", "payment_token", "card_brand", "card_last4"],
  payment_refund: ["provider_refund_id"],
} as const;

/**
 * Re-seals, under the current key, every value sealed under another one, a batch of rows at a time; the
 * second half of a key rotation (the first is making the new key current, after which old rows keep
 * reading). Each row is rewritten only if its sealed values are still those read, so a payment changing
 * meanwhile keeps its change and is picked up by the next batch. Returns the rows re-sealed. Once it
 * returns, the old keys can leave the keyring.
 */
export async function resealStaleValues(
  orm: Database,
  cipher: FieldCipher,
  options: { readonly batchSize?: number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const prefix = `${cipher.currentKeyId}:`;
  let resealed = 0;
  for (const [table, columns] of Object.entries(sealedColumns)) {
    const stale = columns.map((c) => `("${c}" is not null and left("${c}", ${prefix.length}) <> ?)`).join(" or ");
    for (let idlePasses = 0; ; ) {
      const em = orm.em.fork();
      const rows = await em.execute<Record<string, string | null>[]>(
        `select "id", ${columns.map((c) => `"${c}"`).join(", ")} from "${table}" where ${stale} order by "id" limit ?`,
        [...columns.map(() => prefix), batchSize],
      );
      if (rows.length === 0) break;
      let changed = 0;
      for (const row of rows) {
        const id = String(row.id);
        const values = columns.map((column) => {
          const sealed = row[column] ?? null;
          if (sealed === null || !cipher.isStale(sealed)) return sealed;
          const place = placeOf(`${table}.${column}`, id);
          return cipher.seal(cipher.open(sealed, place), place);
        });
        const updated = await em.execute<{ id: string }[]>(
          `update "${table}" set ${columns.map((c) => `"${c}" = ?`).join(", ")}
           where "id" = ? and ${columns.map((c) => `"${c}" is not distinct from ?`).join(" and ")}
           returning "id"`,
          [...values, id, ...columns.map((c) => row[c] ?? null)],
        );
        changed += updated.length;
      }
      resealed += changed;
      // Every row of the batch changed meanwhile: the next pass reads them again, a few times at most.
      idlePasses = changed === 0 ? idlePasses + 1 : 0;
      if (idlePasses > 10) throw new Error(`rows of ${table} keep changing; run the reseal again`);
    }
  }
  return resealed;
}
