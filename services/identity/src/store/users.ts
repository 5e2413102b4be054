import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Database, type Role, type TimeAndId, writeEvent } from "@marquee/mesh";
import { UserRegisteredSchema } from "@marquee/proto/marquee/events/v1/events_pb.js";
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

/** What tells one new account from another; the rest every new account starts with. */
export interface NewUser {
  /** As mailed and as compared (`emailAddressOf`). */
  readonly email: string;
  readonly emailKey: string;
  readonly displayName: string;
  /** Null for an account without a password (made by social sign-in). */
  readonly passwordHash: string | null;
  /** When the address was verified: now for an address a provider vouched for, else null. */
  readonly emailVerifyTime: Date | null;
}

/**
 * Inserts a new customer account, signed in `now`, and its UserRegistered event in the outbox — both in
 * `em`'s transaction, so no account exists without its event. Roles are never a caller's choice: every
 * new account is a customer only. The unique address key makes a taken address fail the insert
 * (UniqueConstraintViolationException), which each caller answers in its own way.
 */
export async function insertNewUser(em: EntityManager, fields: NewUser, now: Date): Promise<UserEntity> {
  const user: UserEntity = {
    ...fields,
    id: randomUUID(),
    phoneNumber: "",
    roles: ["customer"],
    disableTime: null,
    disableReason: "",
    disabledBy: null,
    createTime: now,
    updateTime: now,
    lastLoginTime: now,
    totpEnableTime: null,
  };
  await em.insert(UserEntity, user);
  await writeEvent(em, {
    source: "identity",
    subject: user.id,
    schema: UserRegisteredSchema,
    payload: create(UserRegisteredSchema, {
      userId: user.id,
      email: user.email,
      displayName: user.displayName,
      registerTime: timestampFromDate(now),
    }),
  });
  return user;
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
