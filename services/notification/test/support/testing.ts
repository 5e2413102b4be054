import { randomUUID } from "node:crypto";
import { create, type DescService } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, implement, notFound, type ServiceHandlers } from "@marquee/mesh";
import { type MailSink, type ReceivedMail, startMailSink } from "@marquee/mesh/local";
import {
  publishTestEvent,
  startService,
  startTestServer,
  type TestServer,
  type TestService,
  waitFor,
} from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { type Event, EventKind, EventSchema, EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { type Order, OrderSchema, OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingInternalService } from "@marquee/proto/marquee/ordering/v1/ordering_internal_pb.js";
import { TicketState } from "@marquee/proto/marquee/ordering/v1/ticket_pb.js";
import { type ParsedMail, simpleParser } from "mailparser";
import { notification } from "../../src/manifest.js";
import type { Notifications } from "../../src/notifications.js";

export type { MailSink, ReceivedMail } from "@marquee/mesh/local";

/**
 * Ordering and catalog as the notification service sees them: one internal RPC and one public one,
 * answered from what a test put in `orders` and `events`. The rest of the checkout is not what these
 * tests are about, and a real ordering would need inventory, payment and the gateway beside it.
 */
export interface Upstreams {
  readonly server: TestServer;
  readonly orders: Map<string, Order>;
  readonly events: Map<string, Event>;
  close(): Promise<void>;
}

export async function startUpstreams(): Promise<Upstreams> {
  const orders = new Map<string, Order>();
  const events = new Map<string, Event>();
  const server = await startTestServer([
    implement(OrderingInternalService, {
      async getOrderForNotification(request) {
        const order = orders.get(request.orderId);
        if (order === undefined) throw notFound("order", request.orderId);
        return { order };
      },
    }),
    implement(CatalogService, {
      ...unimplemented(CatalogService),
      async getEvent(request) {
        const event = events.get(request.eventId);
        if (event === undefined) throw notFound("event", request.eventId);
        return { event };
      },
    }),
  ]);
  return { server, orders, events, close: () => server.close() };
}

/** A handler per method of `service` answering UNIMPLEMENTED, for a stub that serves a few of them. */
function unimplemented<S extends DescService>(service: S): ServiceHandlers<S> {
  const handlers: Record<string, () => Promise<never>> = {};
  for (const method of service.methods) {
    handlers[method.localName] = async () => {
      throw new ConnectError(`${method.name} is not stubbed`, Code.Unimplemented);
    };
  }
  return handlers as unknown as ServiceHandlers<S>;
}

/** A notification service with its background tasks, its upstreams stubbed, mailing to `smtpUrl`. */
export interface TestNotification {
  readonly service: TestService<typeof notification.settings, typeof notification.upstreams, Notifications>;
  readonly upstreams: Upstreams;
  close(): Promise<void>;
}

/**
 * Starts the service from its manifest over the test PostgreSQL and Redis, consumers and sender running
 * (`background: true`), retrying fast: 100 ms doubling to 400 ms, three attempts unless `settings` say
 * otherwise.
 */
export async function startNotification(
  smtpUrl: string,
  settings: Readonly<Record<string, string>> = {},
): Promise<TestNotification> {
  const upstreams = await startUpstreams();
  try {
    const service = await startService(notification, {
      background: true,
      upstreams: { ordering: upstreams.server.address, catalog: upstreams.server.address },
      settings: {
        SMTP_URL: smtpUrl,
        SEND_INTERVAL_MS: "50",
        SEND_RETRY_BASE_MS: "100",
        SEND_RETRY_MAX_MS: "400",
        SEND_MAX_ATTEMPTS: "3",
        ...settings,
      },
    });
    return {
      service,
      upstreams,
      async close() {
        await service.close();
        await upstreams.close();
      },
    };
  } catch (error) {
    await upstreams.close();
    throw error;
  }
}

/** An event of the catalog starting at `start` (whole seconds), two hours long, at a venue in Dhaka. */
export function concert(start: Date): Event {
  return create(EventSchema, {
    id: randomUUID(),
    kind: EventKind.EVENT,
    title: "Arnob Live — Dhaka",
    venueName: "Shilpakala Hall",
    city: "Dhaka",
    startTime: timestampFromDate(start),
    endTime: timestampFromDate(new Date(start.getTime() + 2 * 3600_000)),
    state: EventState.PUBLISHED,
    currencyCode: "BDT",
  });
}

/** A trip Dhaka → Jessore → Kolkata departing Dhaka at `start`, Jessore three hours later. */
export function coach(start: Date): Event {
  const at = (hours: number) => timestampFromDate(new Date(start.getTime() + hours * 3600_000));
  return create(EventSchema, {
    id: randomUUID(),
    kind: EventKind.TRIP,
    title: "Dhaka → Kolkata (Green Line)",
    venueName: "Green Line Scania",
    city: "Dhaka",
    startTime: at(0),
    endTime: at(10),
    stops: [
      { id: "dhaka", name: "Sayedabad Bus Terminal", city: "Dhaka", departureTime: at(0) },
      { id: "jessore", name: "Jessore Bus Stand", city: "Jessore", arrivalTime: at(2.5), departureTime: at(3) },
      { id: "kolkata", name: "Esplanade", city: "Kolkata", arrivalTime: at(10) },
    ],
    state: EventState.PUBLISHED,
    currencyCode: "BDT",
  });
}

/** A confirmed order of `ticketCount` issued tickets for `event`, each with its own QR payload. */
export function confirmedOrder(
  event: Event,
  fields: {
    userId?: string;
    email?: string;
    ticketCount?: number;
    ride?: { boardingStopId: string; alightingStopId: string };
  } = {},
): Order {
  const id = randomUUID();
  const userId = fields.userId ?? randomUUID();
  const tickets = Array.from({ length: fields.ticketCount ?? 2 }, (_, index) => ({
    id: randomUUID(),
    orderId: id,
    eventId: event.id,
    userId,
    seatLabel: `Row B, Seat ${index + 1}`,
    sectionName: "Stalls",
    state: TicketState.ISSUED,
    qrPayload: `mq1.${randomUUID().replaceAll("-", "")}.${index}`,
    ...(fields.ride ? { ride: fields.ride } : {}),
  }));
  return create(OrderSchema, {
    id,
    userId,
    eventId: event.id,
    state: OrderState.CONFIRMED,
    total: { currencyCode: "BDT", amountMinor: 250_000n },
    buyer: { name: "Nusrat Jahan", email: fields.email ?? `buyer-${id.slice(0, 8)}@example.com` },
    tickets,
    ...(fields.ride ? { ride: fields.ride } : {}),
  });
}

/** Puts an event on a stream as a producer's relay would (see `publishTestEvent`). */
export { publishTestEvent as publish };

/** The mails the sink received for `address`. */
export function mailsTo(sink: MailSink, address: string): ReceivedMail[] {
  return sink.mails.filter((mail) => mail.to.includes(address));
}

/** The first mail to `address`, waiting up to `timeoutMs` for it, parsed whole (attachments too). */
export async function nextMailTo(sink: MailSink, address: string, timeoutMs = 15_000): Promise<ParsedMail> {
  const mail = await waitFor(`a mail to ${address}`, () => mailsTo(sink, address)[0], { timeoutMs });
  return await simpleParser(mail.raw, { keepCidLinks: true });
}

export { icsProperty, icsStamp } from "./ics.js";
export { startMailSink };
