import { randomUUID } from "node:crypto";
import type { Database } from "@marquee/mesh";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { MfaChallengeEntity } from "../entities/mfa-challenge.js";
import { RecoveryCodeEntity } from "../entities/recovery-code.js";
import { TotpFactorEntity } from "../entities/totp-factor.js";
import { hashOfSecret, isSecretShaped, newSecret } from "./secrets.js";

/**
 * The rows of two-factor sign-in: TOTP factors, recovery codes and the challenges of sign-ins awaiting a
 * code. What must hold however requests race is a conditional update here: a time step is accepted only
 * above the last one used, a recovery code and a challenge are spent only while unspent — so of two
 * requests with one code, exactly one gets through.
 */

/** The user's factor, pending or confirmed, or null. `lock` (in a transaction) takes it for update. */
export async function findFactor(em: EntityManager, userId: string, lock = false): Promise<TotpFactorEntity | null> {
  return await em.findOne(TotpFactorEntity, { userId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
}

/** Replaces any factor of the user with a pending one; the caller has checked none is confirmed. */
export async function startEnrolment(
  em: EntityManager,
  userId: string,
  secretSealed: string,
  now: Date,
  expireTime: Date,
): Promise<void> {
  await em.nativeDelete(TotpFactorEntity, { userId, confirmTime: null });
  await em.insert(TotpFactorEntity, {
    userId,
    secretSealed,
    createTime: now,
    expireTime,
    confirmTime: null,
    lastUsedStep: null,
  });
}

/**
 * Records `step` as used when it is newer than every step used before; false when it is not (a replayed
 * code, or one older than a code accepted already), and then nothing changes.
 */
export async function useStep(em: EntityManager, userId: string, step: number): Promise<boolean> {
  const changed = await em.nativeUpdate(
    TotpFactorEntity,
    { userId, $or: [{ lastUsedStep: null }, { lastUsedStep: { $lt: step } }] },
    { lastUsedStep: step },
  );
  return changed === 1;
}

/** Makes a pending factor the user's confirmed one. */
export async function confirmFactor(em: EntityManager, userId: string, now: Date): Promise<void> {
  await em.nativeUpdate(TotpFactorEntity, { userId }, { confirmTime: now, expireTime: null });
}

/** Replaces the user's recovery codes with these hashes. */
export async function replaceRecoveryCodes(
  em: EntityManager,
  userId: string,
  codeHashes: readonly string[],
  now: Date,
): Promise<void> {
  await em.nativeDelete(RecoveryCodeEntity, { userId });
  await em.insertMany(
    RecoveryCodeEntity,
    codeHashes.map((codeHash) => ({ id: randomUUID(), userId, codeHash, createTime: now, useTime: null })),
  );
}

/** Spends an unspent code of the user by its hash; false when there is none such (wrong or spent). */
export async function spendRecoveryCode(
  em: EntityManager,
  userId: string,
  codeHash: string,
  now: Date,
): Promise<boolean> {
  const changed = await em.nativeUpdate(RecoveryCodeEntity, { userId, codeHash, useTime: null }, { useTime: now });
  return changed === 1;
}

/** How many unspent recovery codes the user has. */
export async function recoveryCodesLeft(em: EntityManager, userId: string): Promise<number> {
  return await em.count(RecoveryCodeEntity, { userId, useTime: null });
}

/**
 * Turns two-factor sign-in off for the user: the factor and every recovery code go, and the user's
 * sessions stop saying "otp", so tokens refreshed from now on do not claim a factor the account no
 * longer has. Each keeps its first factor: a provider's session must not turn into a password's.
 */
export async function removeFactor(em: EntityManager, userId: string): Promise<void> {
  await em.nativeDelete(RecoveryCodeEntity, { userId });
  await em.nativeDelete(TotpFactorEntity, { userId });
  await em.execute(`update "session" set "amr" = array_remove("amr", 'otp') where "user_id" = ?`, [userId]);
}

/** A challenge just opened: its token, shown to the caller once, and its expiry. */
export interface OpenedChallenge {
  readonly token: string;
  readonly expireTime: Date;
}

/**
 * Opens the challenge of a sign-in awaiting its second factor, for the user whose first factor (`amr`:
 * a password, a provider) was right; stored as the token's hash.
 */
export async function openChallenge(
  em: EntityManager,
  userId: string,
  amr: readonly string[],
  now: Date,
  ttlMs: number,
): Promise<OpenedChallenge> {
  const token = newSecret();
  const expireTime = new Date(now.getTime() + ttlMs);
  await em.insert(MfaChallengeEntity, {
    id: randomUUID(),
    userId,
    amr: [...amr],
    tokenHash: hashOfSecret(token),
    createTime: now,
    expireTime,
    useTime: null,
  });
  return { token, expireTime };
}

/** The live challenge of a token (unspent, unexpired), or null. */
export async function liveChallenge(orm: Database, token: string, now: Date): Promise<MfaChallengeEntity | null> {
  if (!isSecretShaped(token)) return null;
  return await orm.em
    .fork()
    .findOne(MfaChallengeEntity, { tokenHash: hashOfSecret(token), useTime: null, expireTime: { $gt: now } });
}

/** Spends a challenge; false when another request spent it first. */
export async function spendChallenge(em: EntityManager, id: string, now: Date): Promise<boolean> {
  const changed = await em.nativeUpdate(MfaChallengeEntity, { id, useTime: null }, { useTime: now });
  return changed === 1;
}

/** Deletes challenges that expired before `before`: they sign nobody in any more. */
export async function pruneChallenges(orm: Database, before: Date): Promise<number> {
  return await orm.em.fork().nativeDelete(MfaChallengeEntity, { expireTime: { $lte: before } });
}
