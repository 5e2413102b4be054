import type { Database, Role, TimeAndId } from "@marquee/mesh";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { withRoles } from "../domain/roles.js";
import { UserEntity } from "../entities/user.js";

/**
 * A user by id, or null. `lock` (inside a transaction) takes the row for update, so changes that read it
 * first — a password check, a role change — are serialised per user.
 */
export async function findUser(em: EntityManager, id: string, lock = false): Promise<UserEntity | null> {
  return await em.findOne(UserEntity, { id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
}

/** The user with an address, by its comparison form (`emailKeyOf`), or null. */
export async function findUserByEmail(orm: Database, emailKey: string): Promise<UserEntity | null> {
  return await orm.em.fork().findOne(UserEntity, { emailKey });
}

/** ListUsers' filters; each one given must hold. */
export interface UserFilter {
  /** Lower-case text the address key must contain. */
  readonly emailContains?: string;
  /** A stored role name the user must hold. */
  readonly role?: string;
  readonly disabledOnly?: boolean;
}

/**
 * A page of users, newest first (create time, then id), after `after`; `last` is the position of the
 * page's last user when more follow.
 */
export async function listUsers(
  orm: Database,
  filter: UserFilter,
  after: TimeAndId | undefined,
  limit: number,
): Promise<{ users: UserEntity[]; last: TimeAndId | undefined }> {
  const rows = await orm.em.fork().find(
    UserEntity,
    {
      ...(filter.emailContains ? { emailKey: { $like: `%${likeEscaped(filter.emailContains)}%` } } : {}),
      ...(filter.role ? { roles: { $contains: [filter.role] } } : {}),
      ...(filter.disabledOnly ? { disableTime: { $ne: null } } : {}),
      ...(after !== undefined
        ? {
            $or: [{ createTime: { $lt: new Date(after.t) } }, { createTime: new Date(after.t), id: { $lt: after.id } }],
          }
        : {}),
    },
    { orderBy: { createTime: "desc", id: "desc" }, limit: limit + 1 },
  );
  const users = rows.slice(0, limit);
  const tail = users.at(-1);
  return {
    users,
    last: rows.length > limit && tail ? { t: tail.createTime.toISOString(), id: tail.id } : undefined,
  };
}

/** `text` matched literally by LIKE: its wildcards and the escape character escaped. */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Subjects disabled since `since`: the revoked-subjects list, which needs nobody disabled longer ago
 * (every token issued before that has expired, and a disabled user gets no new ones).
 */
export async function recentlyDisabled(orm: Database, since: Date): Promise<{ id: string; disableTime: Date }[]> {
  const rows = await orm.em
    .fork()
    .find(
      UserEntity,
      { disableTime: { $gt: since } },
      { orderBy: { disableTime: "asc", id: "asc" }, fields: ["id", "disableTime"] },
    );
  return rows.map((row) => ({ id: row.id, disableTime: row.disableTime as Date }));
}

/**
 * Grants roles to the account with an address (by its comparison form): the `grant-role` bootstrap, for
 * the first admin, whom no RPC can make. Returns the account's roles after, or null without an account.
 * Tokens issued before keep their roles; the next sign-in carries the new ones.
 */
export async function grantRoles(orm: Database, emailKey: string, roles: readonly Role[]): Promise<string[] | null> {
  return await orm.em.fork().transactional(async (em) => {
    const user = await em.findOne(UserEntity, { emailKey }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (user === null) return null;
    const granted = withRoles(user.roles, roles);
    if (granted.join() !== user.roles.join()) {
      user.roles = granted;
      user.updateTime = new Date();
      await em.flush();
    }
    return granted;
  });
}
