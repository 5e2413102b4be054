import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { borderStops, borderTrip, letteredCoach } from "@marquee/catalog/testing";
import { wholeMinutesFromNow } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  Category,
  type Event,
  EventKind,
  type EventSchema,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/**
 * The race's events, created and published through the BFF as an organizer does it: a concert in a hall
 * of exactly 100 seats, and the 40-seat coach Dhaka → Faridpur → Jessore → Benapole → Kolkata.
 */

type VenueInit = MessageInitShape<typeof VenueSchema>;
type EventInit = MessageInitShape<typeof EventSchema>;

const bdt = (taka: number) => ({ currencyCode: "BDT", amountMinor: BigInt(taka * 100) });
const inHours = (hours: number) => wholeMinutesFromNow({ hours });

/** At most 4 seats a buyer: the race asks 2–4 (1–2 on the coach), and a loser retries holding nothing. */
const holdPolicy = { maxSeatsPerUser: 4, holdDuration: { seconds: 600n }, maxExtensions: 1 };

/** One section "stalls", 10 rows A–J of 10 seats: 100 seats. */
const hall: VenueInit = {
  name: "Race hall (100 seats)",
  city: "Dhaka",
  countryCode: "BD",
  timeZone: "Asia/Dhaka",
  sections: [
    {
      id: "stalls",
      name: "Stalls",
      layout: {
        case: "seated",
        value: { generator: { rowCount: 10, seatsPerRow: 10, firstRowLabel: "A", seatClass: "standard" } },
      },
    },
  ],
};

/** The coach's stops in route order: four legs. */
export const coachStops = borderStops;

function concert(venueId: string, title: string): EventInit {
  return {
    kind: EventKind.EVENT,
    category: Category.CONCERT,
    title,
    venueId,
    startTime: inHours(24 * 30),
    endTime: inHours(24 * 30 + 3),
    currencyCode: "BDT",
    priceTiers: [{ id: "stalls", name: "Stalls", price: bdt(1500), sectionIds: ["stalls"] }],
    holdPolicy,
  };
}

function trip(venueId: string, title: string): EventInit {
  return borderTrip(venueId, { overrides: { title, holdPolicy } });
}

/** Creates the hall and the coach, and publishes a concert in one and a trip on the other, via the BFF. */
export async function publishRaceEvents(
  bffUrl: string,
  organizerToken: string,
  runId: string,
): Promise<{ concert: Event; trip: Event }> {
  const catalog = createClient(CatalogService, createConnectTransport({ baseUrl: bffUrl, httpVersion: "1.1" }));
  const options = { headers: { authorization: `Bearer ${organizerToken}` }, timeoutMs: 30_000 };
  const publish = async (venue: VenueInit, event: (venueId: string, title: string) => EventInit, title: string) => {
    const created = await catalog.createVenue({ venue }, options);
    const draft = await catalog.createEvent({ event: event(created.venue?.id ?? "", title) }, options);
    const published = await catalog.publishEvent({ eventId: draft.event?.id ?? "" }, options);
    if (published.event === undefined) throw new Error(`publishing ${title} answered no event`);
    return published.event;
  };
  return {
    concert: await publish(hall, concert, `No seat sells twice ${runId}`),
    trip: await publish(letteredCoach("Race coach (40 seats, 2+2)"), trip, `Dhaka → Kolkata race ${runId}`),
  };
}
