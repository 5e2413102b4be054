import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { addressVariableOf } from "@marquee/bff";
import { Audience, accessOf, mintDevToken, upstreamVariableOf } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { HoldState, InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { OrderState, RefundReason } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { TicketValidity } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import type { JWK, JWTPayload } from "jose";
import {
  type Account,
  agrees,
  as,
  type CallerName,
  callerNames,
  claimsOf,
  createPartner,
  devSigningKey,
  emptyCall,
  inBatches,
  internalRpcs,
  type MatrixRow,
  matrixTable,
  type Outcome,
  outcomeOf,
  type Partner,
  partnerScopesFor,
  shortName,
  signUp,
  TokenForge,
  tampered,
  verdictOf,
} from "./support/authorization/index.js";
import { chattogramConcert, chattogramHall } from "./support/fixtures.js";
import { BffClient, codeNames, type Lane, outcomeName, protocols, publicRpcs } from "./support/fuzz/index.js";
import type { PublicRpc } from "./support/fuzz/public-rpcs.js";

/** The users of the matrix, each a real identity account. */
type UserCaller = Exclude<CallerName, "anonymous" | "partner with scope" | "partner without">;

/** What a unary call came to: 0 for OK, else its code. */
async function answerOf(call: Promise<unknown>): Promise<Code | 0> {
  try {
    await call;
    return 0;
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/** A code as the contract names it, for messages: `NOT_FOUND`, `OK`. */
const nameOf = (code: Code | 0) => codeNames[code] ?? String(code);

/**
 * Issue #22, "what it must show": who may call what. Every RPC the BFF exposes, read from the contract's
 * descriptors with its `marquee.api.v1.access` option, called by eight kinds of caller and answered
 * exactly as the option says; internal RPCs unreachable through the BFF by any protocol; another user's
 * hold and order and another organizer's events NOT_FOUND, the owner's working; and forged, stale and
 * revoked tokens refused through the BFF and at a mesh service's own gRPC port.
 */
describe("authorization on the launcher's stack: the access matrix, ownership and token attacks (issue #22)", function () {
  this.timeout(300_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-authorization-${process.pid}`);
  // Offsets ending in 18 give no port that another stack of the suites uses — the launcher test's
  // (11_000 + …), bff.test.ts's (…00), canonical-ids' (…25), the race's (…50), the fuzz's (…60), checkout's
  // and the stadium's (…75), the benchmarks' (15_455, 15_460, 15_470) — counting every port of the table
  // (services, metrics, BFF, PostgreSQL, Redis, gateway, mail sink); the highest, 50056 + 15_418, is below 65536.
  const portOffset = 14_018 + (process.pid % 15) * 100;

  let stack: Stack;
  let bffUrl: string;
  /** Connect JSON over HTTP/1.1, as the web app calls the BFF. */
  let connect: Transport;
  let identity: Client<typeof IdentityService>;
  let catalog: Client<typeof CatalogService>;
  let inventory: Client<typeof InventoryService>;
  let ordering: Client<typeof OrderingService>;
  const sessions: Http2SessionManager[] = [];
  let signingKey: JWK;
  let forge: TokenForge;
  let users: Readonly<Record<UserCaller, Account>>;
  /** The RPCs the BFF exposes (the public ones of services this stack runs) and those of services it does not run. */
  let exposed: PublicRpc[];
  let notServed: PublicRpc[];
  /** Every partner scope the contract declares. */
  let allScopes: string[];

  /** gRPC straight to a mesh service's own port, bypassing the BFF. */
  function meshTransport(serviceName: string): Transport {
    const address = stack.services.find((service) => service.name === serviceName)?.address;
    if (address === undefined) throw new Error(`the stack runs no ${serviceName}`);
    const sessionManager = new Http2SessionManager(`http://${address}`);
    sessions.push(sessionManager);
    return createGrpcTransport({ baseUrl: `http://${address}`, sessionManager });
  }

  /** The stack's service serving `service`'s domain, if it runs one. */
  function serviceNameOf(service: DescService): string | undefined {
    return stack.services.find((running) => upstreamVariableOf(running.name) === addressVariableOf(service))?.name;
  }

  /** A real partner client granted every scope of the contract; each token carries a subset. */
  let partner: Partner;
  const partnerTokens = new Map<string, Promise<string>>();
  /**
   * A partner token carrying exactly `scopes`, issued once per set by identity's client-credentials grant
   * to the matrix's partner client (see `createPartner` in support/authorization).
   */
  function partnerWith(scopes: readonly string[]): Promise<string> {
    const key = [...scopes].sort().join(" ");
    let token = partnerTokens.get(key);
    if (token === undefined) {
      token = partner.token(scopes);
      partnerTokens.set(key, token);
    }
    return token;
  }

  /** The bearer token of `caller` for `rpc` (partners: by its scopes); undefined for anonymous. */
  async function tokenOf(caller: CallerName, rpc: PublicRpc): Promise<string | undefined> {
    const scopes = partnerScopesFor(accessOf(rpc.method), allScopes);
    switch (caller) {
      case "anonymous":
        return undefined;
      case "partner with scope":
        return partnerWith(scopes.with);
      case "partner without":
        return partnerWith(scopes.without);
      default:
        return users[caller].accessToken;
    }
  }

  before(async () => {
    // Thousands of calls from one address in a minute: the matrix is about access, not the rate limits.
    stack = await startStack({ dataDir, portOffset, logLevel: "warn", isRateLimited: false });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    bffUrl = stack.bffUrl;
    connect = createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" });
    identity = createClient(IdentityService, connect);
    catalog = createClient(CatalogService, connect);
    inventory = createClient(InventoryService, connect);
    ordering = createClient(OrderingService, connect);
    signingKey = devSigningKey(dataDir);
    forge = await TokenForge.of(signingKey);

    const rpcs = await publicRpcs();
    exposed = rpcs.filter((rpc) => serviceNameOf(rpc.service) !== undefined);
    notServed = rpcs.filter((rpc) => serviceNameOf(rpc.service) === undefined);
    allScopes = [...new Set(rpcs.flatMap((rpc) => accessOf(rpc.method).partnerScopes))].sort();

    // One after the other: each is a scrypt hash and a sign-in, and the machine has two cores.
    const customer = await signUp(identity, stack.databaseUrl, "customer");
    const otherCustomer = await signUp(identity, stack.databaseUrl, "other customer");
    const organizer = await signUp(identity, stack.databaseUrl, "organizer", ["organizer"]);
    const otherOrganizer = await signUp(identity, stack.databaseUrl, "other organizer", ["organizer"]);
    const admin = await signUp(identity, stack.databaseUrl, "admin", ["organizer", "admin"]);
    users = {
      customer,
      "other customer": otherCustomer,
      organizer,
      "other organizer": otherOrganizer,
      admin,
    };
    partner = await createPartner(identity, admin.accessToken, allScopes);
  });

  after(async () => {
    for (const session of sessions) session.abort();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("the matrix, generated from the descriptors", () => {
    it("signs the matrix's users in with identity's tokens, carrying the roles they were given", () => {
      for (const [caller, account] of Object.entries(users)) {
        const claims = claimsOf(account.accessToken);
        expect(claims.sub, caller).to.equal(account.userId);
        expect(claims.roles, caller).to.have.members([
          "customer",
          ...account.roles.filter((role) => role !== "customer"),
        ]);
      }
    });

    it("answers every RPC the BFF exposes, for each of the eight callers, exactly as its access option says", async () => {
      const cells = exposed.flatMap((rpc) =>
        callerNames.map(
          (caller) => async () => outcomeOf(connect, rpc.service, rpc.method, as(await tokenOf(caller, rpc))),
        ),
      );
      const outcomes = await inBatches(cells, 6);
      const rows: MatrixRow[] = exposed.map((rpc, row) => ({
        name: rpc.name,
        access: accessOf(rpc.method),
        outcomes: Object.fromEntries(
          callerNames.map((caller, column) => [caller, outcomes[row * callerNames.length + column] as Outcome]),
        ) as Record<CallerName, Outcome>,
      }));
      const notServedText = notServed.map((rpc) => rpc.name).join(", ");
      process.stdout.write(
        `${indented(matrixTable(rows))}\n      ${rows.length} RPCs × ${callerNames.length} callers = ${cells.length} calls` +
          ` through the BFF (Connect JSON); not served by this stack (no upstream runs): ${notServedText || "none"}\n`,
      );

      const disagreements = rows.flatMap((row) =>
        callerNames
          .filter((caller) => !agrees(row.outcomes[caller], verdictOf(row.access, caller)))
          .map((caller) => {
            const verdict = verdictOf(row.access, caller);
            const expected = verdict === "allowed" ? "past access control" : nameOf(verdict);
            return `${row.name} × ${caller}: ${shortName(row.outcomes[caller])}, expected ${expected}`;
          }),
      );
      expect(disagreements, "cells where the BFF disagrees with the access option").to.deep.equal([]);
      // The matrix covers the whole contract the stack serves, and every audience the BFF serves occurs.
      expect(rows.map((row) => row.name)).to.include.members([
        "CatalogService.PublishEvent",
        "IdentityService.DisableUser",
        "InventoryService.HoldSeats",
        "OrderingService.RefundOrder",
      ]);
      expect(new Set(rows.map((row) => row.access.audience))).to.deep.equal(
        new Set([Audience.PUBLIC, Audience.CUSTOMER, Audience.ORGANIZER, Audience.ADMIN]),
      );
    });

    it("refuses alike over gRPC, gRPC-Web, Connect JSON and Connect binary: anonymous UNAUTHENTICATED, too low a role PERMISSION_DENIED", async () => {
      const client = new BffClient(bffUrl);
      const lanes = Array.from({ length: 4 }, () => client.lane());
      try {
        const checks = exposed
          .filter((rpc) => rpc.audience !== Audience.PUBLIC)
          .flatMap((rpc) => {
            const tooLow: UserCaller | undefined =
              rpc.audience === Audience.ADMIN
                ? "organizer"
                : rpc.audience === Audience.ORGANIZER
                  ? "customer"
                  : undefined;
            const callers: { caller: string; token: string | undefined; expected: Code }[] = [
              { caller: "anonymous", token: undefined, expected: Code.Unauthenticated },
              ...(tooLow === undefined
                ? []
                : [{ caller: tooLow, token: users[tooLow].accessToken, expected: Code.PermissionDenied }]),
            ];
            return protocols.flatMap((protocol) => callers.map((entry) => ({ rpc, protocol, ...entry })));
          });
        const answers = await inBatches(
          checks.map(
            (check, index) => () => laneOf(lanes, index).send(emptyCall(check.protocol, check.rpc, check.token)),
          ),
          4,
        );
        const wrong = checks.flatMap((check, index) => {
          const answer = answers[index];
          if (answer?.outcome === "status" && answer.code === check.expected) return [];
          const got = answer === undefined ? "no answer" : `${outcomeName(answer)} ${answer.message}`;
          return [`${check.rpc.name} over ${check.protocol} as ${check.caller}: ${got}`];
        });
        process.stdout.write(`      ${checks.length} refusals checked over ${protocols.length} protocols\n`);
        expect(checks.length).to.be.greaterThan(100);
        expect(wrong).to.deep.equal([]);
      } finally {
        client.close();
      }
    });

    it("never routes an internal RPC, by any protocol, for anyone: anonymous, admin, a partner with every scope, a Marquee service's own token", async () => {
      const internal = await internalRpcs();
      const serviceToken = await mintDevToken(signingKey, { sub: "svc:ordering" });
      const callers: [string, string | undefined][] = [
        ["anonymous", undefined],
        ["admin", users.admin.accessToken],
        ["partner", await partnerWith(allScopes)],
        ["svc:ordering", serviceToken],
      ];
      const client = new BffClient(bffUrl);
      const lanes = Array.from({ length: 4 }, () => client.lane());
      try {
        const checks = internal.flatMap((rpc) =>
          protocols.flatMap((protocol) => callers.map(([caller, token]) => ({ rpc, protocol, caller, token }))),
        );
        const answers = await inBatches(
          checks.map(
            (check, index) => () => laneOf(lanes, index).send(emptyCall(check.protocol, check.rpc, check.token)),
          ),
          4,
        );
        const reached = checks.flatMap((check, index) => {
          const answer = answers[index];
          return answer?.outcome === "status" && answer.code === Code.Unimplemented
            ? []
            : [`${check.rpc.name} over ${check.protocol} as ${check.caller}: ${answer ? outcomeName(answer) : "?"}`];
        });
        process.stdout.write(
          `      ${internal.length} internal RPCs × ${protocols.length} protocols × ${callers.length} callers: ` +
            `${checks.length - reached.length} answered UNIMPLEMENTED by the BFF\n`,
        );
        expect(internal.map((rpc) => rpc.name)).to.include.members([
          "CatalogInternalService.GetHoldPolicy",
          "InventoryInternalService.CommitHold",
          "PaymentService.Authorize",
        ]);
        expect(reached, "internal RPCs the BFF answered as if it routed them").to.deep.equal([]);
      } finally {
        client.close();
      }
    });

    it("refuses every internal RPC at its own service's gRPC port to anyone but a Marquee service", async () => {
      const internal = (await internalRpcs()).filter((rpc) => serviceNameOf(rpc.service) !== undefined);
      const transports = new Map<string, Transport>();
      const transportOf = (name: string) => {
        let transport = transports.get(name);
        if (transport === undefined) {
          transport = meshTransport(name);
          transports.set(name, transport);
        }
        return transport;
      };
      const serviceToken = await mintDevToken(signingKey, { sub: "svc:ordering" });
      const callers: {
        caller: string;
        token: string | undefined;
        verdict: Code.Unauthenticated | Code.PermissionDenied | "allowed";
      }[] = [
        { caller: "anonymous", token: undefined, verdict: Code.Unauthenticated },
        { caller: "customer", token: users.customer.accessToken, verdict: Code.PermissionDenied },
        { caller: "admin", token: users.admin.accessToken, verdict: Code.PermissionDenied },
        { caller: "partner", token: await partnerWith(allScopes), verdict: Code.PermissionDenied },
        { caller: "svc:ordering", token: serviceToken, verdict: "allowed" },
      ];
      const checks = internal.flatMap((rpc) => callers.map((entry) => ({ rpc, ...entry })));
      const outcomes = await inBatches(
        checks.map(
          (check) => () =>
            outcomeOf(
              transportOf(serviceNameOf(check.rpc.service) ?? ""),
              check.rpc.service,
              check.rpc.method,
              as(check.token),
            ),
        ),
        6,
      );
      const wrong = checks.flatMap((check, index) => {
        const outcome = outcomes[index] as Outcome;
        return agrees(outcome, check.verdict) ? [] : [`${check.rpc.name} as ${check.caller}: ${shortName(outcome)}`];
      });
      process.stdout.write(
        `      ${internal.length} internal RPCs × ${callers.length} callers at the services' own ports\n`,
      );
      expect(internal.length).to.be.greaterThan(5);
      expect(wrong).to.deep.equal([]);
    });
  });

  describe("ownership: another user's resources are NOT_FOUND, the owner's work", () => {
    let venueId: string;
    let draftId: string;
    let eventId: string;
    let orderId: string;
    let ticketId: string;
    let qrPayload: string;
    const draftTitle = `Authorization draft ${randomUUID().slice(0, 8)}`;

    /** What the browser does with the card form: POST it to the gateway simulator, from the web app's origin. */
    async function cardToken(): Promise<string> {
      const response = await fetch(`${stack.paymentGatewayUrl}/v1/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: bffUrl },
        body: JSON.stringify({
          card: { number: "4242424242424242", exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: "123" },
        }),
      });
      expect(response.status, await response.clone().text()).to.equal(200);
      return ((await response.json()) as { id: string }).id;
    }

    const holdPolicy = { maxSeatsPerUser: 8, holdDuration: { seconds: 600n }, maxExtensions: 2 };

    before(async () => {
      const organizer = as(users.organizer.accessToken);
      const venue = await catalog.createVenue({ venue: chattogramHall("Authorization hall") }, organizer);
      venueId = venue.venue?.id ?? "";
      const draft = await catalog.createEvent({ event: chattogramConcert(draftTitle, venueId, holdPolicy) }, organizer);
      draftId = draft.event?.id ?? "";
      const published = await catalog.createEvent(
        { event: chattogramConcert(`Authorization night ${randomUUID().slice(0, 8)}`, venueId, holdPolicy) },
        organizer,
      );
      eventId = published.event?.id ?? "";
      await catalog.publishEvent({ eventId }, organizer);

      const buyer = as(users.customer.accessToken);
      const { hold } = await inventory.holdSeats({ eventId, seatIds: ["stalls:B-1"] }, buyer);
      const { order } = await ordering.createOrder(
        {
          holdId: hold?.id ?? "",
          idempotencyKey: randomUUID(),
          paymentMethodToken: await cardToken(),
          buyer: { name: "Nusrat Jahan", email: users.customer.email },
        },
        buyer,
      );
      expect(order?.state, "the seeded order").to.equal(OrderState.CONFIRMED);
      orderId = order?.id ?? "";
      ticketId = order?.tickets[0]?.id ?? "";
      qrPayload = order?.tickets[0]?.qrPayload ?? "";
      expect(ticketId, "the seeded order's ticket").not.to.equal("");
    });

    it("answers another customer's GetHold, ExtendHold, ReleaseHold, QuoteOrder and CreateOrder on a hold with NOT_FOUND, and serves its owner", async () => {
      const owner = as(users.customer.accessToken);
      const other = as(users["other customer"].accessToken);
      const { hold } = await inventory.holdSeats({ eventId, seatIds: ["stalls:A-1", "stalls:A-2"] }, owner);
      const holdId = hold?.id ?? "";
      expect(holdId).not.to.equal("");

      const byOther = {
        GetHold: await answerOf(inventory.getHold({ holdId }, other)),
        ExtendHold: await answerOf(inventory.extendHold({ holdId }, other)),
        ReleaseHold: await answerOf(inventory.releaseHold({ holdId }, other)),
        QuoteOrder: await answerOf(ordering.quoteOrder({ holdId }, other)),
        CreateOrder: await answerOf(
          ordering.createOrder(
            {
              holdId,
              idempotencyKey: randomUUID(),
              paymentMethodToken: await cardToken(),
              buyer: { name: "Not the holder", email: users["other customer"].email },
            },
            other,
          ),
        ),
      };
      expect(byOther).to.deep.equal({
        GetHold: Code.NotFound,
        ExtendHold: Code.NotFound,
        ReleaseHold: Code.NotFound,
        QuoteOrder: Code.NotFound,
        CreateOrder: Code.NotFound,
      });
      // The same answer as for a hold that does not exist, so another's hold ids cannot be probed.
      expect(await answerOf(inventory.getHold({ holdId: `${eventId}.${randomUUID()}` }, other))).to.equal(
        Code.NotFound,
      );

      // None of it touched the hold: its owner still has both seats, and can extend, quote and release it.
      const mine = await inventory.getHold({ holdId }, owner);
      expect(mine.hold?.state).to.equal(HoldState.ACTIVE);
      expect(mine.hold?.seatIds).to.have.members(["stalls:A-1", "stalls:A-2"]);
      expect(mine.hold?.extensionsLeft, "another's ExtendHold used no extension").to.equal(2);
      expect((await inventory.extendHold({ holdId }, owner)).hold?.extensionsLeft).to.equal(1);
      expect((await ordering.quoteOrder({ holdId }, owner)).total?.amountMinor).to.equal(307_500n);
      await inventory.releaseHold({ holdId }, owner);
      expect((await inventory.getHold({ holdId }, owner)).hold?.state).to.equal(HoldState.RELEASED);
    });

    it("answers another customer's GetOrder, CancelOrder and GetTicket with NOT_FOUND and lists none of it, and serves the buyer", async () => {
      const owner = as(users.customer.accessToken);
      const other = as(users["other customer"].accessToken);
      const byOther = {
        GetOrder: await answerOf(ordering.getOrder({ orderId }, other)),
        CancelOrder: await answerOf(ordering.cancelOrder({ orderId }, other)),
        GetTicket: await answerOf(ordering.getTicket({ ticketId }, other)),
      };
      expect(byOther).to.deep.equal({ GetOrder: Code.NotFound, CancelOrder: Code.NotFound, GetTicket: Code.NotFound });
      expect((await ordering.listMyOrders({}, other)).orders.map((order) => order.id)).not.to.include(orderId);

      const mine = await ordering.getOrder({ orderId }, owner);
      expect(mine.order?.state, "another's CancelOrder changed nothing").to.equal(OrderState.CONFIRMED);
      expect((await ordering.getTicket({ ticketId }, owner)).ticket?.qrPayload).to.equal(qrPayload);
      expect((await ordering.listMyOrders({}, owner)).orders.map((order) => order.id)).to.include(orderId);
      // The buyer gets past the ownership check to the order's own rule: a confirmed order of an event with
      // no cancellation policy cannot be cancelled.
      expect(await answerOf(ordering.cancelOrder({ orderId }, owner))).to.equal(Code.FailedPrecondition);
    });

    it("shows an order to its buyer, its event's organizer and an admin, and to no other organizer", async () => {
      const seen = Object.fromEntries(
        await Promise.all(
          (["customer", "organizer", "admin", "other organizer", "other customer"] as const).map(async (caller) => [
            caller,
            await answerOf(ordering.getOrder({ orderId }, as(users[caller].accessToken))),
          ]),
        ),
      );
      expect(seen).to.deep.equal({
        customer: 0,
        organizer: 0,
        admin: 0,
        "other organizer": Code.NotFound,
        "other customer": Code.NotFound,
      });
    });

    it("answers another organizer's every call on a draft event and its venue with NOT_FOUND, and leaves both untouched", async () => {
      const other = as(users["other organizer"].accessToken);
      const byOther = {
        GetEvent: await answerOf(catalog.getEvent({ eventId: draftId }, other)),
        UpdateEvent: await answerOf(
          catalog.updateEvent({ event: { id: draftId, title: "Taken over" }, updateMask: { paths: ["title"] } }, other),
        ),
        PublishEvent: await answerOf(catalog.publishEvent({ eventId: draftId }, other)),
        CancelEvent: await answerOf(catalog.cancelEvent({ eventId: draftId, reason: "taken over" }, other)),
        DeleteEvent: await answerOf(catalog.deleteEvent({ eventId: draftId }, other)),
        GetSeatMap: await answerOf(catalog.getSeatMap({ eventId: draftId }, other)),
        ListSeats: await answerOf(catalog.listSeats({ eventId: draftId }, other)),
        QuotePrice: await answerOf(catalog.quotePrice({ eventId: draftId, seatIds: ["stalls:A-1"] }, other)),
        GetVenue: await answerOf(catalog.getVenue({ venueId }, other)),
        ListVenueSeats: await answerOf(catalog.listVenueSeats({ venueId }, other)),
        UpdateVenue: await answerOf(
          catalog.updateVenue({ venue: { id: venueId, name: "Taken over" }, updateMask: { paths: ["name"] } }, other),
        ),
        DeleteVenue: await answerOf(catalog.deleteVenue({ venueId }, other)),
      };
      expect(byOther).to.deep.equal(Object.fromEntries(Object.keys(byOther).map((rpc) => [rpc, Code.NotFound])));
      // A draft is as unknown to buyers and to anonymous callers.
      expect(await answerOf(catalog.getEvent({ eventId: draftId }, as(undefined)))).to.equal(Code.NotFound);
      expect(await answerOf(catalog.getEvent({ eventId: draftId }, as(users.customer.accessToken)))).to.equal(
        Code.NotFound,
      );
      // Their lists hold neither, and an event of theirs cannot be put in another's venue.
      const theirEvents = await catalog.listMyEvents({}, other);
      expect(theirEvents.events.map((event) => event.id)).not.to.include(draftId);
      const theirVenues = await catalog.listVenues({}, other);
      expect(theirVenues.venues.map((venue) => venue.id)).not.to.include(venueId);
      const intruding = await answerOf(
        catalog.createEvent({ event: chattogramConcert("Intruder night", venueId) }, other),
      );
      expect(intruding, "an event in another organizer's venue").to.equal(Code.InvalidArgument);

      // The owner and an admin see both as they were.
      for (const caller of ["organizer", "admin"] as const) {
        const { event } = await catalog.getEvent({ eventId: draftId }, as(users[caller].accessToken));
        expect(event?.state, caller).to.equal(EventState.DRAFT);
        expect(event?.title, caller).to.equal(draftTitle);
        const { venue } = await catalog.getVenue({ venueId }, as(users[caller].accessToken));
        expect(venue?.name, caller).to.equal("Authorization hall");
      }
      expect((await catalog.listMyEvents({}, as(users.organizer.accessToken))).events.map((e) => e.id)).to.include(
        draftId,
      );
    });

    it("answers another organizer's calls on a published event, its orders, sales, codes and tickets with NOT_FOUND, and serves its organizer", async () => {
      const other = as(users["other organizer"].accessToken);
      const owner = as(users.organizer.accessToken);
      const byOther = {
        UpdateEvent: await answerOf(
          catalog.updateEvent({ event: { id: eventId, title: "Taken over" }, updateMask: { paths: ["title"] } }, other),
        ),
        CancelEvent: await answerOf(catalog.cancelEvent({ eventId, reason: "taken over" }, other)),
        SalesReport: await answerOf(ordering.salesReport({ eventId }, other)),
        ListDiscountCodes: await answerOf(ordering.listDiscountCodes({ eventId }, other)),
        CreateDiscountCode: await answerOf(
          ordering.createDiscountCode(
            { discountCode: { eventId, code: "STOLEN", percentOff: 50, maxUses: 10 } },
            other,
          ),
        ),
        RefundOrder: await answerOf(
          ordering.refundOrder({ orderId, reason: RefundReason.EVENT_CANCELLED, idempotencyKey: randomUUID() }, other),
        ),
        VerifyTicket: await answerOf(
          ordering.verifyTicket({ qrPayload, eventId, checkIn: true, scanId: randomUUID() }, other),
        ),
      };
      expect(byOther).to.deep.equal(Object.fromEntries(Object.keys(byOther).map((rpc) => [rpc, Code.NotFound])));
      // ListOrders takes the event as a filter: another's is refused as an unknown one is (the contract's
      // INVALID_ARGUMENT on event_id), never answered with its orders.
      const foreignFilter = await answerOf(ordering.listOrders({ eventId }, other));
      const unknownFilter = await answerOf(ordering.listOrders({ eventId: randomUUID() }, other));
      expect([foreignFilter, unknownFilter]).to.deep.equal([Code.InvalidArgument, Code.InvalidArgument]);
      expect((await ordering.listOrders({}, other)).orders.map((order) => order.id)).not.to.include(orderId);

      // The event's organizer: still published as it was, its order listed, reported, its ticket valid.
      const { event } = await catalog.getEvent({ eventId }, owner);
      expect(event?.state).to.equal(EventState.PUBLISHED);
      expect(event?.title).not.to.equal("Taken over");
      expect((await ordering.listOrders({ eventId }, owner)).orders.map((order) => order.id)).to.deep.equal([orderId]);
      expect((await ordering.salesReport({ eventId }, owner)).totals?.ticketsSold).to.equal(1n);
      expect((await ordering.listDiscountCodes({ eventId }, owner)).discountCodes).to.deep.equal([]);
      const verified = await ordering.verifyTicket({ qrPayload, eventId, checkIn: false, scanId: "" }, owner);
      expect(verified.validity, "another organizer's scan did not check the ticket in").to.equal(TicketValidity.VALID);
      expect((await ordering.getOrder({ orderId }, owner)).order?.state).to.equal(OrderState.CONFIRMED);
    });
  });

  describe("token attacks: refused through the BFF and at ordering's own gRPC port", () => {
    /** OrderingService over gRPC at ordering's own port, as a service inside the mesh is reached. */
    let orderingAtPort: Client<typeof OrderingService>;
    let identityAtPort: Client<typeof IdentityService>;

    before(() => {
      orderingAtPort = createClient(OrderingService, meshTransport("ordering"));
      identityAtPort = createClient(IdentityService, meshTransport("identity"));
    });

    /** What a token gets on ListMyOrders (a CUSTOMER RPC) through the BFF and at ordering's port. */
    async function answersTo(token: string): Promise<{ bff: Code | 0; mesh: Code | 0 }> {
      const [bff, mesh] = await Promise.all([
        answerOf(ordering.listMyOrders({}, as(token))),
        answerOf(orderingAtPort.listMyOrders({}, as(token))),
      ]);
      return { bff, mesh };
    }

    const refused = { bff: Code.Unauthenticated, mesh: Code.Unauthenticated };
    const served = { bff: 0, mesh: 0 };
    /** A customer no one else is, for the forged tokens. */
    const customer = (changes: JWTPayload = {}) => forge.claims(randomUUID(), ["customer"], changes);
    const now = () => Math.floor(Date.now() / 1000);

    /** Asserts the honest token of `claims` works, so that each refusal is the attack's doing. */
    async function expectHonestServed(claims: JWTPayload) {
      expect(await answersTo(await forge.honest(claims)), "the same claims, honestly signed").to.deep.equal(served);
    }

    it("refuses an expired token", async () => {
      const claims = customer({ iat: now() - 1200, exp: now() - 600 });
      expect(await answersTo(await forge.honest(claims))).to.deep.equal(refused);
      // Just past the 5 s of clock skew allowed.
      expect(await answersTo(await forge.honest(customer({ iat: now() - 600, exp: now() - 30 })))).to.deep.equal(
        refused,
      );
      await expectHonestServed(customer());
    });

    it("refuses a token not yet valid: issued and valid from ten minutes ahead, or valid from ten minutes ahead", async () => {
      const ahead = now() + 600;
      expect(await answersTo(await forge.honest(customer({ iat: ahead, nbf: ahead, exp: ahead + 600 })))).to.deep.equal(
        refused,
      );
      expect(await answersTo(await forge.honest(customer({ nbf: ahead })))).to.deep.equal(refused);
      await expectHonestServed(customer({ nbf: now() }));
    });

    it("refuses a token issued ten minutes in the future (iat ahead, no nbf)", async () => {
      // No issuer of ours stamps a token ahead of its clock by more than the skew allowed: one that claims
      // to be issued later than now was not issued by us, or by a clock that cannot be trusted.
      const ahead = now() + 600;
      expect(await answersTo(await forge.honest(customer({ iat: ahead, exp: ahead + 600 })))).to.deep.equal(refused);
      await expectHonestServed(customer({ iat: now() - 1, exp: now() + 600 }));
    });

    it("refuses a token signed by another key under the trusted key's kid", async () => {
      const claims = customer();
      expect(await answersTo(await forge.wrongSignature(claims))).to.deep.equal(refused);
      await expectHonestServed(claims);
    });

    it("refuses an unsigned token (alg: none)", async () => {
      const claims = customer();
      expect(await answersTo(forge.algNone(claims))).to.deep.equal(refused);
      await expectHonestServed(claims);
    });

    it("refuses an HS256 token whose HMAC secret is the trusted public key (as PEM and as JWK)", async () => {
      const claims = customer();
      const [asPem, asJwk] = await forge.hs256WithPublicKey(claims);
      expect(await answersTo(asPem ?? "")).to.deep.equal(refused);
      expect(await answersTo(asJwk ?? "")).to.deep.equal(refused);
      await expectHonestServed(claims);
    });

    it("refuses a token signed under a kid no JWKS of the stack lists", async () => {
      const claims = customer();
      expect(await answersTo(await forge.unknownKid(claims))).to.deep.equal(refused);
      await expectHonestServed(claims);
    });

    it("refuses identity's own token once its claims are changed after signing: roles raised, subject swapped", async () => {
      const token = users.customer.accessToken;
      expect(await answersTo(token), "identity's token as issued").to.deep.equal(served);
      const raised = tampered(token, { roles: ["customer", "organizer", "admin"] });
      const swapped = tampered(token, { sub: users["other customer"].userId });
      expect(await answersTo(raised)).to.deep.equal(refused);
      expect(await answersTo(swapped)).to.deep.equal(refused);
      // On an RPC the raised roles would open, the tampered token is not a promotion: the honest one is
      // refused for its role, the tampered one as a forgery.
      const listOrders = async (bearer: string) => [
        await answerOf(ordering.listOrders({}, as(bearer))),
        await answerOf(orderingAtPort.listOrders({}, as(bearer))),
      ];
      expect(await listOrders(token)).to.deep.equal([Code.PermissionDenied, Code.PermissionDenied]);
      expect(await listOrders(raised)).to.deep.equal([Code.Unauthenticated, Code.Unauthenticated]);
    });

    it("refuses a token of another issuer", async () => {
      expect(await answersTo(await forge.honest(customer({ iss: "https://accounts.example.com" })))).to.deep.equal(
        refused,
      );
      await expectHonestServed(customer({ iss: "marquee" }));
    });

    it("refuses a token for another audience", async () => {
      expect(await answersTo(await forge.honest(customer({ aud: "another-platform" })))).to.deep.equal(refused);
      expect(await answersTo(await forge.honest(customer({ aud: ["another-platform"] })))).to.deep.equal(refused);
      await expectHonestServed(customer({ aud: ["marquee"] }));
    });

    it("refuses a refresh token used twice, and then every token of its family, through the BFF and at identity's port", async () => {
      const account = await signUp(identity, stack.databaseUrl, "refresher");
      for (const [via, client] of [
        ["BFF", identity],
        ["identity's port", identityAtPort],
      ] as const) {
        const { tokens } = await client.login({ email: account.email, password: account.password }, as(undefined));
        const first = tokens?.refreshToken ?? "";
        const rotated = await client.refresh({ refreshToken: first }, as(undefined));
        const newest = rotated.tokens?.refreshToken ?? "";
        expect(newest, via).to.be.a("string").and.not.equal("").and.not.equal(first);
        expect(await answerOf(client.refresh({ refreshToken: first }, as(undefined))), `${via}: the reuse`).to.equal(
          Code.Unauthenticated,
        );
        expect(
          await answerOf(client.refresh({ refreshToken: newest }, as(undefined))),
          `${via}: the family's newest, after the reuse`,
        ).to.equal(Code.Unauthenticated);
      }
      // Another session of the same account is not of that family: it still refreshes.
      expect(await answerOf(identity.refresh({ refreshToken: account.refreshToken }, as(undefined)))).to.equal(0);
    });

    describe("a user an admin disabled", () => {
      let disabled: Account;
      let disabledAtMs: number;

      before(async () => {
        disabled = await signUp(identity, stack.databaseUrl, "disabled");
        expect(await answersTo(disabled.accessToken), "before the disable").to.deep.equal(served);
        const { user } = await identity.disableUser(
          { userId: disabled.userId, reason: "authorization e2e" },
          as(users.admin.accessToken),
        );
        expect(user?.disableTime, "DisableUser's answer").not.to.equal(undefined);
        disabledAtMs = Date.now();
      });

      it("is refused by identity at once: no sign-in, no refresh, no call with the still-unexpired token", async () => {
        const login = await answerOf(
          identity.login({ email: disabled.email, password: disabled.password }, as(undefined)),
        );
        expect(login, "Login with the right password").to.equal(Code.PermissionDenied);
        expect(await answerOf(identity.refresh({ refreshToken: disabled.refreshToken }, as(undefined)))).to.equal(
          Code.Unauthenticated,
        );
        // Through the BFF, identity refuses it (PERMISSION_DENIED, disabled) unless the BFF's poll of the
        // revoked subjects has already listed the user, when the BFF refuses the token itself
        // (UNAUTHENTICATED): on a loaded machine the poll can come first. Refused either way, never served.
        expect(await answerOf(identity.getMe({}, as(disabled.accessToken))), "GetMe through the BFF").to.be.oneOf([
          Code.PermissionDenied,
          Code.Unauthenticated,
        ]);
        expect(await answerOf(identityAtPort.getMe({}, as(disabled.accessToken))), "GetMe at identity's port").to.equal(
          Code.PermissionDenied,
        );
      });

      it("has the still-unexpired access token refused within seconds by the rest of Marquee too", async () => {
        // The BFF and every mesh server poll identity's revoked subjects (IdentityInternalService.
        // GetRevokedSubjects) every few seconds, and refuse the tokens of the subjects listed; 10 s is ample.
        const deadline = Date.now() + 10_000;
        let answers = await answersTo(disabled.accessToken);
        while (Date.now() < deadline && (answers.bff === 0 || answers.mesh === 0)) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          answers = await answersTo(disabled.accessToken);
        }
        process.stdout.write(`        refused ${Date.now() - disabledAtMs} ms after DisableUser answered\n`);
        expect(answers).to.deep.equal(refused);
        // Its expiry is still minutes away: the refusal is the revocation's, not the clock's.
        expect(((claimsOf(disabled.accessToken).exp ?? 0) - Date.now() / 1000) / 60).to.be.greaterThan(5);
      });
    });

    it("refuses a partner token on RPCs outside its scopes, through the BFF and at each service's port", async () => {
      const reader = await partnerWith(["events.read"]);
      const orderReader = await partnerWith(["orders.read"]);
      const catalogAtPort = createClient(CatalogService, meshTransport("catalog"));
      const inventoryAtPort = createClient(InventoryService, meshTransport("inventory"));
      const { events } = await catalog.listEvents({ pageSize: 1 }, as(reader));
      const someEvent = events[0]?.id ?? "";
      expect(someEvent, "a published event the partner reads").not.to.equal("");
      expect(await answerOf(catalogAtPort.listEvents({ pageSize: 1 }, as(reader)))).to.equal(0);

      const hold = { eventId: someEvent, seatIds: ["stalls:A-9"] };
      const outside = {
        "HoldSeats via BFF": await answerOf(inventory.holdSeats(hold, as(reader))),
        "HoldSeats at inventory": await answerOf(inventoryAtPort.holdSeats(hold, as(reader))),
        "ListMyOrders via BFF": await answerOf(ordering.listMyOrders({}, as(reader))),
        "ListMyOrders at ordering": await answerOf(orderingAtPort.listMyOrders({}, as(reader))),
        "VerifyTicket via BFF": await answerOf(
          ordering.verifyTicket({ qrPayload: "mq1.x", eventId: someEvent }, as(orderReader)),
        ),
        "GetMe via BFF": await answerOf(identity.getMe({}, as(reader))),
      };
      expect(outside).to.deep.equal(
        Object.fromEntries(Object.keys(outside).map((call) => [call, Code.PermissionDenied])),
      );
      // The scope that is declared on ListMyOrders opens it.
      expect(await answersTo(orderReader)).to.deep.equal(served);
    });
  });
});

/** The lane of the `index`th call: calls are dealt to the lanes in turn. */
function laneOf(lanes: readonly Lane[], index: number): Lane {
  return lanes[index % lanes.length] as Lane;
}

/** Text indented to sit under mocha's test titles. */
function indented(text: string): string {
  return text
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
}
