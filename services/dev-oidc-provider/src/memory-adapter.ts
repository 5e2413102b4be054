import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";

interface Stored {
  readonly payload: AdapterPayload;
  /** Epoch milliseconds; undefined: until the process ends. */
  readonly expiresAt: number | undefined;
}

/** The models a grant issues, which its revocation removes (as oidc-provider's own memory adapter has them). */
const grantable = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
  "PreAuthorizedCode",
]);

/**
 * oidc-provider's storage (sessions, interactions, codes, tokens, grants) in one Map per provider, gone
 * with the process: all a development provider needs, and unlike the library's own quick-start adapter
 * not shared by every provider of a process (a test may run several). Expired entries are dropped when read.
 */
export function memoryAdapter(): AdapterFactory {
  const entries = new Map<string, Stored>();
  const read = (key: string): AdapterPayload | undefined => {
    const stored = entries.get(key);
    if (stored === undefined) return undefined;
    if (stored.expiresAt !== undefined && stored.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return stored.payload;
  };
  const findBy = (model: string, field: "uid" | "userCode", value: string) => {
    for (const key of entries.keys()) {
      if (!key.startsWith(`${model}:`)) continue;
      const payload = read(key);
      if (payload?.[field] === value) return payload;
    }
    return undefined;
  };
  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      entries.set(`${model}:${id}`, {
        payload,
        expiresAt: expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000,
      });
    },
    async find(id) {
      return read(`${model}:${id}`);
    },
    async findByUid(uid) {
      return findBy(model, "uid", uid);
    },
    async findByUserCode(userCode) {
      return findBy(model, "userCode", userCode);
    },
    async consume(id) {
      const key = `${model}:${id}`;
      const stored = entries.get(key);
      if (stored !== undefined) {
        entries.set(key, { ...stored, payload: { ...stored.payload, consumed: Math.floor(Date.now() / 1000) } });
      }
    },
    async destroy(id) {
      entries.delete(`${model}:${id}`);
    },
    async revokeByGrantId(grantId) {
      // Only what a grant issued: an interaction or session naming the grant outlives its revocation.
      for (const [key, stored] of entries) {
        if (grantable.has(key.slice(0, key.indexOf(":"))) && stored.payload.grantId === grantId) entries.delete(key);
      }
    },
  });
}
