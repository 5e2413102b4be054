import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { ProviderName } from "../domain/social-providers.js";
import { SocialLinkEntity } from "../entities/social-link.js";

/** The link of a provider account, or null. */
export async function findLink(
  em: EntityManager,
  provider: ProviderName,
  subject: string,
): Promise<SocialLinkEntity | null> {
  return await em.findOne(SocialLinkEntity, { provider, subject });
}

/** A user's links, in provider order of linking (oldest first). */
export async function linksOf(em: EntityManager, userId: string): Promise<SocialLinkEntity[]> {
  return await em.find(SocialLinkEntity, { userId }, { orderBy: { linkTime: "asc", id: "asc" } });
}

/** The links of several users at once, by user id (ListUsers). */
export async function linksOfUsers(
  em: EntityManager,
  userIds: readonly string[],
): Promise<Map<string, SocialLinkEntity[]>> {
  const byUser = new Map<string, SocialLinkEntity[]>();
  if (userIds.length === 0) return byUser;
  const rows = await em.find(
    SocialLinkEntity,
    { userId: { $in: [...userIds] } },
    { orderBy: { linkTime: "asc", id: "asc" } },
  );
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
  return byUser;
}

/**
 * Links a provider account to a user, replacing the user's earlier account of that provider. The unique
 * constraints settle races: a provider account linked meanwhile to someone else fails the insert.
 */
export async function linkAccount(
  em: EntityManager,
  userId: string,
  account: { readonly provider: ProviderName; readonly subject: string; readonly email: string },
  now: Date,
): Promise<void> {
  await em.nativeDelete(SocialLinkEntity, { userId, provider: account.provider });
  await em.insert(SocialLinkEntity, {
    id: randomUUID(),
    userId,
    provider: account.provider,
    subject: account.subject,
    email: account.email,
    linkTime: now,
  });
}

/** Removes a user's link to a provider; whether there was one. */
export async function unlinkAccount(em: EntityManager, userId: string, provider: ProviderName): Promise<boolean> {
  return (await em.nativeDelete(SocialLinkEntity, { userId, provider })) > 0;
}
