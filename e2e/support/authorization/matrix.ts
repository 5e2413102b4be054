import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { type CallOptions, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { Audience, type accessOf } from "@marquee/mesh";
import { codeNames } from "../fuzz/answer.js";
import { type CallerName, callerNames, columnOf } from "./callers.js";

/**
 * What a call came to, as the matrix reads it: a status code (0 is OK), or `open` for a server stream that
 * was still streaming when the caller left it (it got past access control, which refuses before the
 * first message).
 */
export type Outcome = Code | 0 | "open";

/** What the access option says a caller gets: past access control, or refused with this code. */
export type Verdict = "allowed" | Code.Unauthenticated | Code.PermissionDenied;

/** How long a server stream runs before the matrix leaves it as `open`. */
const streamCutMs = 1500;

/**
 * Calls `method` of `service` once with `request` (an empty message unless given) over `transport`, and
 * tells how it ended; never throws for a failed call.
 */
export async function outcomeOf(
  transport: Transport,
  service: DescService,
  method: DescMethod,
  options: CallOptions,
  request: object = {},
): Promise<Outcome> {
  const client = createClient(service, transport) as unknown as Record<
    string,
    (input: object, options: CallOptions) => Promise<unknown> | AsyncIterable<unknown>
  >;
  const call = client[method.localName];
  if (call === undefined) throw new Error(`no client method ${method.localName} on ${service.typeName}`);
  if (method.methodKind === "unary") {
    try {
      await call(request, options);
      return 0;
    } catch (error) {
      return ConnectError.from(error).code;
    }
  }
  const leaving = new AbortController();
  const timer = setTimeout(() => leaving.abort(), streamCutMs);
  try {
    for await (const _ of call(request, { ...options, signal: leaving.signal }) as AsyncIterable<unknown>) {
      // Reading on until the stream ends, fails, or the caller leaves.
    }
    return 0;
  } catch (error) {
    return leaving.signal.aborted ? "open" : ConnectError.from(error).code;
  } finally {
    clearTimeout(timer);
  }
}

/** The audience a caller passes, by its role; partners are judged by their scopes instead. */
const rankOf: Readonly<Record<CallerName, number>> = {
  anonymous: 0,
  customer: 1,
  "other customer": 1,
  organizer: 2,
  "other organizer": 2,
  admin: 3,
  "partner with scope": -1,
  "partner without": -1,
};

const rankNeeded: Partial<Record<Audience, number>> = {
  [Audience.CUSTOMER]: 1,
  [Audience.ORGANIZER]: 2,
  [Audience.ADMIN]: 3,
};

/**
 * What `access` lets `caller` do, as DESIGN.md's contract decisions say: PUBLIC is anyone's; anyone else
 * must sign in (UNAUTHENTICATED); users need the audience's role, admin ⊃ organizer ⊃ customer, and
 * partners one of the RPC's partner scopes (PERMISSION_DENIED). "Partner with scope" carries the RPC's
 * scopes — every scope of the contract when the RPC has none, which must still be refused.
 */
export function verdictOf(access: MethodAccess, caller: CallerName): Verdict {
  if (access.audience === Audience.PUBLIC) return "allowed";
  if (caller === "anonymous") return Code.Unauthenticated;
  if (caller === "partner with scope") return access.partnerScopes.length > 0 ? "allowed" : Code.PermissionDenied;
  if (caller === "partner without") return Code.PermissionDenied;
  const needed = rankNeeded[access.audience];
  return needed !== undefined && rankOf[caller] >= needed ? "allowed" : Code.PermissionDenied;
}

/** An RPC's access option as mesh reads it: its audience and partner scopes. */
export type MethodAccess = ReturnType<typeof accessOf>;

/** Whether an outcome agrees with a verdict: "allowed" is any answer but the two refusals of access. */
export function agrees(outcome: Outcome, verdict: Verdict): boolean {
  const isRefusal = outcome === Code.Unauthenticated || outcome === Code.PermissionDenied;
  return verdict === "allowed" ? !isRefusal : outcome === verdict;
}

/**
 * The scopes of the two partner callers for an RPC: with its partner scopes (or every scope when it has
 * none), and without — every other scope of the contract, so a scope never opens an RPC it is not
 * declared on.
 */
export function partnerScopesFor(
  access: MethodAccess,
  allScopes: readonly string[],
): Record<"with" | "without", readonly string[]> {
  const own = access.partnerScopes;
  return {
    with: own.length > 0 ? own : allScopes,
    without: allScopes.filter((scope) => !own.includes(scope)),
  };
}

/** The short name of an outcome for the table: `OK`, `INVALID_ARGUMENT` as `INV_ARG`, … */
export function shortName(outcome: Outcome): string {
  if (outcome === "open") return "OPEN";
  const name = codeNames[outcome] ?? `CODE_${outcome}`;
  return shortNames[name] ?? name;
}

const shortNames: Readonly<Record<string, string>> = {
  INVALID_ARGUMENT: "INV_ARG",
  NOT_FOUND: "NOT_FND",
  PERMISSION_DENIED: "DENIED",
  UNAUTHENTICATED: "UNAUTH",
  FAILED_PRECONDITION: "PRECOND",
  UNIMPLEMENTED: "UNIMPL",
  RESOURCE_EXHAUSTED: "EXHAUST",
  ALREADY_EXISTS: "EXISTS",
};

/** One row of the matrix: an RPC, its access and what each caller got. */
export interface MatrixRow {
  /** `OrderingService.GetOrder` */
  readonly name: string;
  readonly access: MethodAccess;
  readonly outcomes: Readonly<Record<CallerName, Outcome>>;
}

/** The access option as the table shows it: `CUSTOMER [orders.read]`. */
export function accessText(access: MethodAccess): string {
  const scopes = access.partnerScopes.length > 0 ? ` [${access.partnerScopes.join(",")}]` : "";
  return `${Audience[access.audience]}${scopes}`;
}

/**
 * The matrix as a compact table: one line per RPC, one column per caller, each cell the code it got, a
 * `!` after any that disagrees with the access option; then a legend.
 */
export function matrixTable(rows: readonly MatrixRow[]): string {
  // `Catalog.GetEvent` for `CatalogService.GetEvent`: every public service's name ends so.
  const nameOf = (row: MatrixRow) => row.name.replace(/Service\./, ".");
  const nameWidth = Math.max(...rows.map((row) => nameOf(row).length));
  const accessWidth = Math.max(...rows.map((row) => accessText(row.access).length));
  const cellWidth = 9;
  const header = [
    "RPC".padEnd(nameWidth),
    "access".padEnd(accessWidth),
    ...callerNames.map((caller) => columnOf[caller].padEnd(cellWidth)),
  ].join(" ");
  const lines = rows.map((row) =>
    [
      nameOf(row).padEnd(nameWidth),
      accessText(row.access).padEnd(accessWidth),
      ...callerNames.map((caller) => {
        const outcome = row.outcomes[caller];
        const mark = agrees(outcome, verdictOf(row.access, caller)) ? "" : "!";
        return `${shortName(outcome)}${mark}`.padEnd(cellWidth);
      }),
    ]
      .join(" ")
      .trimEnd(),
  );
  const legend =
    "UNAUTH/DENIED: refused by access control; any other code got past it (INV_ARG for the empty request, " +
    "NOT_FND, PRECOND, UNIMPL for what identity has not built yet, OPEN a stream left running); ! disagrees with the access option";
  return [header, "-".repeat(header.length), ...lines, legend].join("\n");
}

/** Runs `tasks` at most `width` at a time, in order, and returns their results in order. */
export async function inBatches<T>(tasks: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}
