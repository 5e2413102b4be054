import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type BackgroundTask,
  type Logger,
  type MeshClient,
  startPeriodic,
  type TokenVerifier,
  unauthenticated,
} from "@marquee/mesh";
import type { IdentityInternalService } from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";

/**
 * The verifier's side of "a disabled user's token is refused within seconds": a process that verifies
 * tokens (a mesh server, the BFF) polls identity's revoked-subjects list and refuses tokens of the listed
 * subjects on top of the signature checks. Self-contained so the mesh can take it as it is:
 *
 * ```ts
 * const watcher = watchRevokedSubjects(identityInternalClient, { intervalMs: 2000, log });
 * const verifier = refusingRevoked(createTokenVerifier({ jwksUrl }), watcher);
 * // … stop the watcher on shutdown, with the other background tasks
 * ```
 *
 * A poll that fails keeps the list it had, each entry until its own expire_time: while identity is away
 * a revoked user stays refused, and nobody else is (failing open on the list, not on the signature).
 */
export interface RevokedSubjectsWatcher extends BackgroundTask {
  /** Whether tokens of `subject` are to be refused now. */
  isRevoked(subject: string): boolean;
  /** Polls once now (the first poll runs at start); for tests and for a start that must not race. */
  poll(): Promise<void>;
}

/** How a watcher polls. */
export interface RevokedSubjectsWatcherOptions {
  /** Pause between polls: the "within seconds" of a disable. @default 2000 */
  readonly intervalMs?: number;
  readonly log: Logger;
  /** The clock, in epoch milliseconds; tests replace it. @default Date.now */
  readonly now?: () => number;
}

/** Starts polling IdentityInternalService.GetRevokedSubjects with the process's service token. */
export function watchRevokedSubjects(
  identity: Pick<MeshClient<typeof IdentityInternalService>, "getRevokedSubjects">,
  options: RevokedSubjectsWatcherOptions,
): RevokedSubjectsWatcher {
  const { intervalMs = 2000, log, now = Date.now } = options;
  /** Subject → until when it is refused, in epoch milliseconds. */
  let revoked = new Map<string, number>();

  async function poll(): Promise<void> {
    try {
      const { subjects } = await identity.getRevokedSubjects({});
      revoked = new Map(
        subjects.map((entry) => [entry.subject, entry.expireTime ? timestampDate(entry.expireTime).getTime() : 0]),
      );
    } catch (error) {
      log.warn({ err: error }, "revoked subjects could not be polled; keeping the last list");
    }
  }

  const task = startPeriodic(intervalMs, poll);
  return {
    isRevoked(subject) {
      const until = revoked.get(subject);
      return until !== undefined && now() < until;
    },
    poll,
    stop: () => task.stop(),
  };
}

/** `verifier`, refusing with UNAUTHENTICATED every token whose subject the watcher lists. */
export function refusingRevoked(
  verifier: TokenVerifier,
  watcher: Pick<RevokedSubjectsWatcher, "isRevoked">,
): TokenVerifier {
  return {
    async verify(token) {
      const principal = await verifier.verify(token);
      if (watcher.isRevoked(principal.subject)) throw unauthenticated("the account of this token is disabled");
      return principal;
    },
  };
}
