import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CallOptions, Client } from "@connectrpc/connect";
import { wholeMinutesFromNow } from "@marquee/mesh/testing";
import type { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  Category,
  EventKind,
  type EventSchema,
  type SectionSchema,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/** What the end-to-end suites build their events from, so each reads the same venue and prices. */

/** A bearer token on a Connect call, with a deadline a slow shared machine can meet. */
export function bearer(token: string, timeoutMs = 30_000): CallOptions {
  return { headers: { authorization: `Bearer ${token}` }, timeoutMs };
}

/** Taka as the contract's Money. */
export const bdt = (taka: number) => ({ currencyCode: "BDT", amountMinor: BigInt(taka * 100) });

/**
 * Two rows A–B of ten seats (`stalls:A-1` …) and a general-admission floor of 50 places; `hasFloor: false`
 * leaves out the floor, for tests that count a capacity of the 20 seats alone.
 */
export function chattogramHall(
  name: string,
  { hasFloor = true }: { hasFloor?: boolean } = {},
): MessageInitShape<typeof VenueSchema> {
  const sections: MessageInitShape<typeof SectionSchema>[] = [
    {
      id: "stalls",
      name: "Stalls",
      layout: {
        case: "seated",
        value: { generator: { rowCount: 2, seatsPerRow: 10, firstRowLabel: "A", seatClass: "standard" } },
      },
    },
  ];
  if (hasFloor)
    sections.push({ id: "floor", name: "Floor", layout: { case: "generalAdmission", value: { capacity: 50 } } });
  return {
    name,
    city: "Chattogram",
    address: "Agrabad, Chattogram",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections,
  };
}

/** A concert in `chattogramHall` a month from now: stalls 1,500 taka, floor 800. */
export function chattogramConcert(
  title: string,
  venueId: string,
  holdPolicy: MessageInitShape<typeof EventSchema>["holdPolicy"] = { maxSeatsPerUser: 8 },
): MessageInitShape<typeof EventSchema> {
  return {
    kind: EventKind.EVENT,
    category: Category.CONCERT,
    title,
    venueId,
    startTime: wholeMinutesFromNow({ days: 30 }),
    endTime: wholeMinutesFromNow({ days: 30, hours: 3 }),
    currencyCode: "BDT",
    priceTiers: [
      { id: "stalls", name: "Stalls", price: bdt(1500), sectionIds: ["stalls"] },
      { id: "floor", name: "Floor", price: bdt(800), sectionIds: ["floor"] },
    ],
    holdPolicy,
  };
}

/**
 * A `chattogramConcert` in a `chattogramHall` of its own, created and published by the organizer of
 * `organizerToken`: each test gets seats nobody else touches. Answers the event's id.
 */
export async function publishedConcert(
  catalog: Client<typeof CatalogService>,
  organizerToken: string,
  title: string,
  holdPolicy?: MessageInitShape<typeof EventSchema>["holdPolicy"],
): Promise<string> {
  const organizer = bearer(organizerToken);
  const venue = await catalog.createVenue({ venue: chattogramHall(`${title} hall`) }, organizer);
  const draft = await catalog.createEvent(
    { event: chattogramConcert(title, venue.venue?.id ?? "", holdPolicy) },
    organizer,
  );
  const eventId = draft.event?.id ?? "";
  await catalog.publishEvent({ eventId }, organizer);
  return eventId;
}

/**
 * What the web app's card form does: POST the card to the payment gateway simulator's tokenization from
 * the web app's origin (`origin`), never through Marquee. Answers the token; throws on any other answer
 * than 200 with the origin allowed.
 */
export async function tokenizeCard(gatewayUrl: string, origin: string, number: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ card: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: "123" } }),
  });
  if (response.status !== 200) throw new Error(`tokenization answered ${response.status}: ${await response.text()}`);
  const allowed = response.headers.get("access-control-allow-origin");
  if (allowed !== origin) throw new Error(`tokenization allowed origin ${allowed}, not ${origin}`);
  return ((await response.json()) as { id: string }).id;
}
