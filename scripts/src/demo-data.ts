/**
 * The demo data `npm start` loads once, through catalog's public API as the demo organizer — the same
 * calls an organizer's console makes: an arena with ~2,000 seats, a theatre, a general-admission festival,
 * the Diu Paribahan coach Dhaka → Faridpur → Jessore → Benapole → Kolkata (40 seats, 2+2, fares per ride),
 * a 180-seat flight, and published events across the coming weeks.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient } from "@marquee/mesh";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import {
  Category,
  EventKind,
  type EventSchema,
  type RowSchema,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

type VenueInit = MessageInitShape<typeof VenueSchema>;
type EventInit = MessageInitShape<typeof EventSchema>;

const day = 24 * 3600 * 1000;
const bdt = (taka: number) => ({ currencyCode: "BDT", amountMinor: BigInt(taka * 100) });

/** Midnight UTC `days` from now, plus `hours` (Dhaka is UTC+6). */
function at(days: number, hours: number): { seconds: bigint } {
  const midnight = Math.floor(Date.now() / day) * day;
  return { seconds: BigInt(Math.floor((midnight + days * day + hours * 3600 * 1000) / 1000)) };
}

function grid(id: string, name: string, rows: number, seatsPerRow: number, originY: number, seatClass = "standard") {
  return {
    id,
    name,
    layout: {
      case: "seated" as const,
      value: { generator: { rowCount: rows, seatsPerRow, firstRowLabel: "A", seatClass, originX: 0, originY } },
    },
  };
}

/** Rows given seat by seat, for vehicles whose seats are lettered ("7A") and classed by position. */
function lettered(rows: number, letters: string, classOf: (row: number, letter: string) => string, aisleAfter: number) {
  const list: MessageInitShape<typeof RowSchema>[] = [];
  for (let row = 1; row <= rows; row++) {
    list.push({
      label: String(row),
      seats: [...letters].map((letter, index) => ({
        label: letter,
        x: index + (index >= aisleAfter ? 1 : 0),
        y: row - 1,
        seatClass: classOf(row, letter),
      })),
    });
  }
  return list;
}

const venues = {
  arena: {
    name: "Bashundhara Arena",
    city: "Dhaka",
    address: "Bashundhara R/A, Dhaka 1229",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [
      grid("floor-a", "Floor A", 20, 25, 0),
      grid("floor-b", "Floor B", 20, 25, 22),
      grid("balcony-north", "Balcony North", 20, 25, 44),
      grid("balcony-south", "Balcony South", 20, 25, 66),
    ],
  },
  theatre: {
    name: "Shilpakala Theatre",
    city: "Dhaka",
    address: "Segun Bagicha, Dhaka 1000",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [grid("orchestra", "Orchestra", 15, 20, 0), grid("balcony", "Balcony", 8, 20, 17)],
  },
  festival: {
    name: "Dhaka Open Air Grounds",
    city: "Dhaka",
    address: "Purbachal, Dhaka",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [
      {
        id: "general",
        name: "General admission",
        layout: { case: "generalAdmission" as const, value: { capacity: 5000 } },
      },
      { id: "vip", name: "VIP garden", layout: { case: "generalAdmission" as const, value: { capacity: 500 } } },
    ],
  },
  coach: {
    name: "Diu Paribahan Scania coach (40 seats, 2+2)",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [
      {
        id: "deck",
        name: "Passenger deck",
        layout: {
          case: "seated" as const,
          value: { rows: lettered(10, "ABCD", (_row, letter) => ("AD".includes(letter) ? "window" : "aisle"), 2) },
        },
      },
    ],
  },
  flight: {
    name: "Airbus A320 (180 seats)",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [
      {
        id: "cabin",
        name: "Cabin",
        layout: { case: "seated" as const, value: { rows: lettered(30, "ABCDEF", () => "economy", 3) } },
      },
    ],
  },
} satisfies Record<string, VenueInit>;

function events(venueIds: Record<keyof typeof venues, string>): EventInit[] {
  const coachStops = [
    { id: "dhaka", name: "Sayedabad Bus Terminal", city: "Dhaka", departureTime: at(5, 1) },
    { id: "faridpur", name: "Faridpur Bus Stand", city: "Faridpur", arrivalTime: at(5, 4), departureTime: at(5, 4.25) },
    { id: "jessore", name: "Jessore Bus Terminal", city: "Jessore", arrivalTime: at(5, 7), departureTime: at(5, 7.5) },
    { id: "benapole", name: "Benapole Border", city: "Benapole", arrivalTime: at(5, 9), departureTime: at(5, 11) },
    { id: "kolkata", name: "Marquis Street", city: "Kolkata", arrivalTime: at(5, 15) },
  ];
  const leg = (from: string, to: string, taka: number) => ({
    boardingStopId: from,
    alightingStopId: to,
    price: bdt(taka),
  });
  return [
    {
      kind: EventKind.EVENT,
      category: Category.CONCERT,
      title: "Arnob & Friends — Live in Dhaka",
      description: "An evening of Bangla rock under the arena lights.",
      venueId: venueIds.arena,
      startTime: at(14, 13),
      endTime: at(14, 17),
      currencyCode: "BDT",
      priceTiers: [
        { id: "floor", name: "Floor", price: bdt(3500), sectionIds: ["floor-a", "floor-b"] },
        { id: "balcony", name: "Balcony", price: bdt(1500), sectionIds: ["balcony-north", "balcony-south"] },
      ],
    },
    {
      kind: EventKind.EVENT,
      category: Category.THEATRE,
      title: "Raktakarabi",
      description: "Tagore's play, staged by Nagarik Natya Sampradaya.",
      venueId: venueIds.theatre,
      startTime: at(10, 13),
      endTime: at(10, 15.5),
      currencyCode: "BDT",
      priceTiers: [
        { id: "orchestra", name: "Orchestra", price: bdt(800), sectionIds: ["orchestra"] },
        { id: "balcony", name: "Balcony", price: bdt(500), sectionIds: ["balcony"] },
      ],
    },
    {
      kind: EventKind.EVENT,
      category: Category.FESTIVAL,
      title: "Dhaka Open Air Festival",
      description: "Two stages, one night.",
      venueId: venueIds.festival,
      startTime: at(21, 10),
      endTime: at(21, 18),
      currencyCode: "BDT",
      priceTiers: [
        { id: "general", name: "General", price: bdt(1200), sectionIds: ["general"] },
        { id: "vip", name: "VIP", price: bdt(6000), sectionIds: ["vip"] },
      ],
    },
    {
      kind: EventKind.TRIP,
      category: Category.BUS,
      title: "Dhaka → Kolkata (Diu Paribahan)",
      description: "Via Faridpur, Jessore and the Benapole border. Seats are sold per stretch of the route.",
      venueId: venueIds.coach,
      startTime: at(5, 1),
      endTime: at(5, 15),
      stops: coachStops,
      currencyCode: "BDT",
      fares: [
        leg("dhaka", "faridpur", 450),
        leg("faridpur", "jessore", 400),
        leg("jessore", "benapole", 250),
        leg("benapole", "kolkata", 700),
        // The through fare is cheaper than the sum of its legs, as operators price it.
        leg("dhaka", "kolkata", 1500),
      ],
    },
    {
      kind: EventKind.TRIP,
      category: Category.FLIGHT,
      title: "BG 391 Dhaka → Kolkata",
      description: "Biman Bangladesh Airlines, Airbus A320.",
      venueId: venueIds.flight,
      startTime: at(7, 3),
      endTime: at(7, 4),
      stops: [
        { id: "dac", name: "Hazrat Shahjalal International Airport", city: "Dhaka", departureTime: at(7, 3) },
        { id: "ccu", name: "Netaji Subhas Chandra Bose International Airport", city: "Kolkata", arrivalTime: at(7, 4) },
      ],
      currencyCode: "BDT",
      fares: [leg("dac", "ccu", 9800)],
    },
  ];
}

/**
 * Loads the demo data unless the demo organizer already has events (a second `npm start` reuses the
 * data). Returns a line saying what it did.
 */
export async function loadDemoData(
  catalogAddress: string,
  organizerToken: string,
  say: (line: string) => void,
): Promise<string> {
  const catalog = createClient(CatalogService, { address: catalogAddress, timeoutMs: 30_000 });
  const options = { token: organizerToken };
  try {
    const existing = await catalog.listMyEvents({ pageSize: 1 }, options);
    if (existing.events.length > 0) return "demo data already loaded (kept from an earlier run)";
    say("loading demo data…");
    const venueIds = {} as Record<keyof typeof venues, string>;
    for (const [key, venue] of Object.entries(venues) as [keyof typeof venues, VenueInit][]) {
      venueIds[key] = (await catalog.createVenue({ venue }, options)).venue?.id as string;
    }
    const created = events(venueIds);
    for (const event of created) {
      const draft = await catalog.createEvent({ event }, options);
      await catalog.publishEvent({ eventId: draft.event?.id as string }, options);
    }
    return `demo data loaded: ${Object.keys(venues).length} venues, ${created.length} published events`;
  } finally {
    catalog.close();
  }
}
