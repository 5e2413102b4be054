import { Role, type TokenSet, type User } from "@marquee/proto/marquee/identity/v1/resources_pb.js";

/** What the app keeps of a signed-in user: their tokens and who they are. */
export interface Session {
  readonly accessToken: string;
  /** Epoch ms. */
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
  readonly userId: string;
  readonly displayName: string;
  readonly email: string;
  readonly roles: readonly RoleName[];
}

export type RoleName = "customer" | "organizer" | "admin";

const roleNames: Partial<Record<Role, RoleName>> = {
  [Role.CUSTOMER]: "customer",
  [Role.ORGANIZER]: "organizer",
  [Role.ADMIN]: "admin",
};

/**
 * Where the session lives: sessionStorage, so a reload keeps the user signed in but the tab's end
 * signs them out, and another site's script cannot read it (same-origin). A refresh token in
 * localStorage would outlive the tab on shared computers, which a box office or a café has.
 */
const storageKey = "marquee.session";

type Listener = () => void;
const listeners = new Set<Listener>();
let current: Session | undefined = read();

function read(): Session | undefined {
  try {
    const raw = globalThis.sessionStorage?.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

/** The signed-in session, or undefined. */
export function currentSession(): Session | undefined {
  return current;
}

/** Replaces the session (undefined signs out locally) and tells every subscriber. */
export function setSession(session: Session | undefined): void {
  current = session;
  if (session) globalThis.sessionStorage?.setItem(storageKey, JSON.stringify(session));
  else globalThis.sessionStorage?.removeItem(storageKey);
  for (const listener of listeners) listener();
}

/** For `useSyncExternalStore`. */
export function subscribeToSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A session from identity's answer to Login, CompleteLogin, Register, Refresh or SignInWithSocial. */
export function sessionOf(tokens: TokenSet, user: User): Session {
  const seconds = Number(tokens.expireTime?.seconds ?? 0n);
  return {
    accessToken: tokens.accessToken,
    accessExpiresAt: seconds * 1000,
    refreshToken: tokens.refreshToken,
    userId: user.id,
    displayName: user.displayName,
    email: user.email,
    roles: user.roles.flatMap((role) => roleNames[role] ?? []),
  };
}
