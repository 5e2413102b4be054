import type { Database, TimeAndId } from "@marquee/mesh";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { PartnerClientEntity } from "../entities/partner-client.js";

/** A partner client by id, or null; `lock` (inside a transaction) takes the row for update. */
export async function findPartnerClient(
  em: EntityManager,
  clientId: string,
  lock = false,
): Promise<PartnerClientEntity | null> {
  return await em.findOne(PartnerClientEntity, { clientId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
}

/**
 * A page of clients, newest first (create time, then id), after `after`; revoked ones only with
 * `showRevoked`. `last` is the position of the page's last client when more follow.
 */
export async function listPartnerClients(
  orm: Database,
  filter: { readonly showRevoked: boolean },
  after: TimeAndId | undefined,
  limit: number,
): Promise<{ clients: PartnerClientEntity[]; last: TimeAndId | undefined }> {
  const rows = await orm.em.fork().find(
    PartnerClientEntity,
    {
      ...(filter.showRevoked ? {} : { revokeTime: null }),
      ...(after !== undefined
        ? {
            $or: [
              { createTime: { $lt: new Date(after.t) } },
              { createTime: new Date(after.t), clientId: { $lt: after.id } },
            ],
          }
        : {}),
    },
    { orderBy: { createTime: "desc", clientId: "desc" }, limit: limit + 1 },
  );
  const clients = rows.slice(0, limit);
  const tail = clients.at(-1);
  return {
    clients,
    last: rows.length > limit && tail ? { t: tail.createTime.toISOString(), id: tail.clientId } : undefined,
  };
}

/**
 * Records that a client obtained a token, at most once a minute (as PartnerClient.last_use_time says):
 * a partner asking for tokens in a loop costs one write a minute, not one per token.
 */
export async function touchPartnerClient(orm: Database, clientId: string, now: Date): Promise<void> {
  await orm.em
    .fork()
    .nativeUpdate(
      PartnerClientEntity,
      { clientId, $or: [{ lastUseTime: null }, { lastUseTime: { $lte: new Date(now.getTime() - 60_000) } }] },
      { lastUseTime: now },
    );
}

/** Clients revoked since `since`: the partner part of the revoked-subjects list. */
export async function recentlyRevokedClients(
  orm: Database,
  since: Date,
): Promise<{ clientId: string; revokeTime: Date }[]> {
  const rows = await orm.em
    .fork()
    .find(
      PartnerClientEntity,
      { revokeTime: { $gt: since } },
      { orderBy: { revokeTime: "asc", clientId: "asc" }, fields: ["clientId", "revokeTime"] },
    );
  return rows.map((row) => ({ clientId: row.clientId, revokeTime: row.revokeTime as Date }));
}
