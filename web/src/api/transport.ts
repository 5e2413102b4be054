import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { readServerClock } from "./server-clock.js";
import { currentSession, type Session, setSession } from "./session.js";

/**
 * Every call goes to the BFF on the page's own origin over the Connect protocol with JSON, so what the
 * app sends is readable in the browser's network panel, and CORS never enters.
 */
const plainTransport = createConnectTransport({ baseUrl: globalThis.location?.origin ?? "http://localhost" });

/** Refresh a little before the access token expires, not after: a call should never carry a stale one. */
const refreshAheadMs = 30_000;

let refreshing: Promise<Session | undefined> | undefined;

/**
 * The session with an access token good for the next call: refreshed once for all calls waiting on it
 * (identity rotates the refresh token, so two refreshes at once would spend the same token twice and
 * revoke the session's family). A refused refresh signs the user out.
 */
async function freshSession(): Promise<Session | undefined> {
  const session = currentSession();
  if (session === undefined || session.accessExpiresAt - refreshAheadMs > Date.now()) return session;
  refreshing ??= (async () => {
    try {
      const identity = createClient(IdentityService, plainTransport);
      const { tokens } = await identity.refresh({ refreshToken: session.refreshToken });
      if (tokens === undefined) throw new Error("Refresh answered no tokens");
      const renewed: Session = {
        ...session,
        accessToken: tokens.accessToken,
        accessExpiresAt: Number(tokens.expireTime?.seconds ?? 0n) * 1000,
        refreshToken: tokens.refreshToken,
      };
      setSession(renewed);
      return renewed;
    } catch {
      setSession(undefined);
      return undefined;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** Adds the signed-in user's bearer token to every call. */
const authenticate: Interceptor = (next) => async (request) => {
  const session = await freshSession();
  if (session) request.header.set("authorization", `Bearer ${session.accessToken}`);
  return next(request);
};

/** The transport the app's queries and mutations use. */
export const transport = createConnectTransport({
  baseUrl: globalThis.location?.origin ?? "http://localhost",
  interceptors: [authenticate, readServerClock],
});

/** A client of a public service of the BFF, signed in when the user is. */
export function clientOf<S extends DescService>(service: S): Client<S> {
  return createClient(service, transport);
}
