import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  IdentityInternalService,
  type RevokedSubject,
} from "@marquee/proto/marquee/identity/v1/identity_internal_pb.js";
import { Gauge } from "prom-client";
import { createClient } from "../client.js";
import { unauthenticated } from "../errors.js";
import type { Logger } from "../logger.js";
import { metricsRegistry } from "../metrics.js";
import { startPeriodic } from "../periodic.js";
import type { BackgroundTask } from "../run-service.js";
import type { TokenVerifier } from "./verify-token.js";

/**
 * The verifier's side of "a disabled user's token is refused within seconds, not at its expiry": a
 * process that verifies tokens (every mesh server, the BFF) polls identity's revoked-subjects list
 * (IdentityInternalService.GetRevokedSubjects) and refuses tokens of the listed subjects on top of the
 * signature checks. `serve` and the BFF wire it when `IDENTITY_ADDR` is set:
 *
 * ```ts
 * const watcher = await watchIdentityRevocations({ identityAddress, serviceToken, log });
 * const verifier = refusingRevoked(createTokenVerifier({ jwksUrl }), watcher);
 * // … watcher.stop() on shutdown, after the server has drained
 * ```
 *
 * **When identity cannot be reached** the watcher keeps the list it had, each entry until its own
 * `expire_time`, logs the failure (once, then once a minute while it lasts, and again when polling
 * recovers) and shows the list's age in `marquee_revoked_subjects_age_seconds`. It fails open on the
 * list, never on the signature: a revoked user stays refused, nobody new is, and a process that never
 * got a list refuses only at expiry, as before the list existed. Failing closed would make identity a
 * single point of failure for every signed-in call of every service, while what is at stake is bounded:
 * the rest of a 15-minute access token, which is the bound Marquee had anyway.
 */
export interface RevokedSubjectsWatcher extends BackgroundTask {
  /** Whether tokens of `subject` are to be refused now. */
  isRevoked(subject: string): boolean;
  /** Polls once now (the first poll runs at start); for tests and for a start that must not race. */
  poll(): Promise<void>;
  /** Settles once the first poll has ended, listed or failed. */
  readonly firstPoll: Promise<void>;
}

/** Where a watcher reads the list: identity's RPC in production ({@link identityRevokedSubjects}). */
export type RevokedSubjectsSource = () => Promise<ReadonlyArray<Pick<RevokedSubject, "subject" | "expireTime">>>;

/** How a watcher polls. */
export interface RevokedSubjectsWatcherOptions {
  /** Pause between polls: the "within seconds" of a disable (`REVOCATION_POLL_INTERVAL_MS`). @default 2000 */
  readonly intervalMs?: number;
  readonly log: Logger;
  /** The clock, in epoch milliseconds; tests replace it. @default Date.now */
  readonly now?: () => number;
}

/** While polls keep failing, the failure is logged again this often (not at every poll). */
const repeatWarningMs = 60_000;

/** The live watchers of this process, for the age gauge. */
const watchers = new Set<{ lastListedMs: () => number | undefined; now: () => number }>();

new Gauge({
  name: "marquee_revoked_subjects_age_seconds",
  help: "Seconds since the revoked-subjects list was last read from identity (+Inf before the first read); alert when it stays above a few polls.",
  registers: [metricsRegistry],
  collect() {
    let oldest = 0;
    for (const watcher of watchers) {
      const listed = watcher.lastListedMs();
      oldest = Math.max(oldest, listed === undefined ? Number.POSITIVE_INFINITY : (watcher.now() - listed) / 1000);
    }
    if (watchers.size > 0) this.set(oldest);
  },
});

/** Starts polling `source` every `intervalMs`; the first poll runs at once (see `firstPoll`). */
export function watchRevokedSubjects(
  source: RevokedSubjectsSource,
  options: RevokedSubjectsWatcherOptions,
): RevokedSubjectsWatcher {
  const { intervalMs = 2000, log, now = Date.now } = options;
  /** Subject → until when it is refused, in epoch milliseconds. */
  let revoked = new Map<string, number>();
  let lastListedMs: number | undefined;
  let failing: { readonly sinceMs: number; warnedMs: number } | undefined;

  async function poll(): Promise<void> {
    try {
      const subjects = await source();
      // An entry without an expiry is kept until a poll drops it: refusing too long beats too short.
      revoked = new Map(
        subjects.map((entry) => [
          entry.subject,
          entry.expireTime ? timestampMs(entry.expireTime) : Number.POSITIVE_INFINITY,
        ]),
      );
      lastListedMs = now();
      if (failing !== undefined) {
        log.info({ failedForMs: now() - failing.sinceMs }, "revoked subjects polled again");
        failing = undefined;
      }
    } catch (error) {
      const at = now();
      if (failing === undefined || at - failing.warnedMs >= repeatWarningMs) {
        log.warn(
          {
            err: error,
            failingForMs: failing === undefined ? 0 : at - failing.sinceMs,
            listAgeMs: lastListedMs === undefined ? null : at - lastListedMs,
            kept: revoked.size,
          },
          "revoked subjects could not be polled from identity; keeping the last list (tokens of users disabled since are accepted until they expire)",
        );
        if (failing === undefined) failing = { sinceMs: at, warnedMs: at };
        else failing.warnedMs = at;
      }
    }
  }

  let settleFirst: () => void = () => {};
  const firstPoll = new Promise<void>((resolve) => {
    settleFirst = resolve;
  });
  const entry = { lastListedMs: () => lastListedMs, now };
  watchers.add(entry);
  let isFirst = true;
  const task = startPeriodic(intervalMs, async () => {
    await poll();
    if (isFirst) {
      isFirst = false;
      settleFirst();
    }
  });
  return {
    isRevoked(subject) {
      const until = revoked.get(subject);
      return until !== undefined && now() < until;
    },
    poll,
    firstPoll,
    async stop() {
      watchers.delete(entry);
      await task.stop();
      settleFirst();
    },
  };
}

/**
 * `verifier`, refusing with UNAUTHENTICATED every token whose subject the watcher lists. Service tokens
 * (`svc:<name>`) are never refused this way: the list names disabled users and revoked partner clients.
 */
export function refusingRevoked(
  verifier: TokenVerifier,
  watcher: Pick<RevokedSubjectsWatcher, "isRevoked">,
): TokenVerifier {
  return {
    async verify(token) {
      const principal = await verifier.verify(token);
      if (principal.kind !== "service" && watcher.isRevoked(principal.subject)) {
        throw unauthenticated(
          principal.kind === "partner"
            ? "the partner client of this token is revoked"
            : "the account of this token is disabled",
        );
      }
      return principal;
    },
  };
}

/** Options of {@link watchIdentityRevocations}. */
export interface IdentityRevocationOptions {
  /** `IDENTITY_ADDR`: `host:port` of identity. */
  readonly identityAddress: string;
  /** This process's service token: GetRevokedSubjects is INTERNAL. */
  readonly serviceToken: () => Promise<string>;
  /** @default 2000 */
  readonly intervalMs?: number;
  readonly log: Logger;
}

/**
 * Identity's list as a {@link RevokedSubjectsSource}, over a mesh client of IdentityInternalService; `close`
 * closes its channel. One attempt per poll within the poll interval (at least a second): the next poll is
 * the retry, so a slow identity never piles polls up.
 */
export function identityRevokedSubjects(options: {
  readonly identityAddress: string;
  readonly serviceToken: () => Promise<string>;
  readonly timeoutMs: number;
}): RevokedSubjectsSource & { close(): void } {
  const client = createClient(IdentityInternalService, {
    address: options.identityAddress,
    upstream: "identity",
    serviceToken: options.serviceToken,
    timeoutMs: options.timeoutMs,
    retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  });
  return Object.assign(async () => (await client.getRevokedSubjects({})).subjects, { close: () => client.close() });
}

/**
 * What `serve` and the BFF run when `IDENTITY_ADDR` is set: a watcher of identity's list, started and
 * given its first poll (bounded by the poll's own deadline) before the caller serves, so a process that
 * starts beside a running identity refuses revoked users from its first call. `stop` also closes the
 * channel.
 */
export async function watchIdentityRevocations(options: IdentityRevocationOptions): Promise<RevokedSubjectsWatcher> {
  const intervalMs = options.intervalMs ?? 2000;
  const source = identityRevokedSubjects({ ...options, timeoutMs: Math.max(1000, intervalMs) });
  const watcher = watchRevokedSubjects(source, { intervalMs, log: options.log });
  await watcher.firstPoll;
  return {
    ...watcher,
    async stop() {
      await watcher.stop();
      source.close();
    },
  };
}
