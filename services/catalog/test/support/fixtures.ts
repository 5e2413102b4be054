import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { wholeMinutesFromNowMs } from "@marquee/mesh/testing";
import {
  Category,
  EventKind,
  type EventSchema,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

type VenueInit = MessageInitShape<typeof VenueSchema>;
type EventInit = MessageInitShape<typeof EventSchema>;
/** Fields to change in a fixture. */
type Overrides<T> = Partial<Extract<T, { $typeName?: undefined }>>;

/** A time `days` days (and `hours` hours) from now, on a whole minute. */
export function inDays(days: number, hours = 0): Date {
  return new Date(wholeMinutesFromNowMs({ days, hours }));
}

/** A Timestamp `days` days (and `hours` hours) from now. */
export function at(days: number, hours = 0) {
  return timestampFromDate(inDays(days, hours));
}

/**
 * An arena: a standing floor (general admission, 500), a lower bowl generated as 10 rows of 20 seats
 * (200 "standard"), and a box of one listed row of 4 "premium" seats. Capacity 704.
 */
export function arena(overrides: Overrides<VenueInit> = {}): VenueInit {
  return {
    name: "Dhaka Arena",
    city: "Dhaka",
    address: "Mirpur Road",
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [
      { name: "Floor", layout: { case: "generalAdmission", value: { capacity: 500 } } },
      {
        name: "Lower Bowl",
        layout: { case: "seated", value: { generator: { rowCount: 10, seatsPerRow: 20, originY: 5 } } },
      },
      {
        id: "box",
        name: "VIP Box",
        layout: {
          case: "seated",
          value: {
            rows: [
              {
                label: "A",
                seats: ["1", "2", "3", "4"].map((label, i) => ({ label, x: 30 + i, y: 0, seatClass: "premium" })),
              },
            ],
          },
        },
      },
    ],
    ...overrides,
  } as VenueInit;
}

/** A 40-seat coach, 2+2: 10 rows of 4 "standard" seats with an aisle after seat 2. */
export function coach(overrides: Overrides<VenueInit> = {}): VenueInit {
  return {
    name: "Diu Paribahan Scania coach (40 seats, 2+2)",
    sections: [
      {
        name: "Cabin",
        layout: { case: "seated", value: { generator: { rowCount: 10, seatsPerRow: 4, aisleAfterSeats: [2] } } },
      },
    ],
    ...overrides,
  } as VenueInit;
}

/** A concert at `venueId` in 30 days, priced for every section of `arena()`. */
export function concert(venueId: string, overrides: Overrides<EventInit> = {}): EventInit {
  return {
    kind: EventKind.EVENT,
    category: Category.CONCERT,
    title: "Arctic Monkeys — Dhaka",
    description: "Live at the arena.",
    venueId,
    startTime: at(30),
    endTime: at(30, 3),
    currencyCode: "BDT",
    priceTiers: [
      { id: "floor", name: "Floor", price: { amountMinor: 150_000n }, sectionIds: ["floor"] },
      { id: "bowl", name: "Bowl", price: { amountMinor: 250_000n }, seatClasses: ["standard"] },
      { id: "premium", name: "Premium", price: { amountMinor: 500_000n }, seatClasses: ["premium"] },
    ],
    ...overrides,
  } as EventInit;
}

/** Stops of a coach Dhaka → Faridpur → Jessore → Kolkata in 20 days. */
export function route(days = 20) {
  return [
    { id: "dhaka", name: "Sayedabad Bus Terminal", city: "Dhaka", departureTime: at(days, 0) },
    {
      id: "faridpur",
      name: "Faridpur Bus Stand",
      city: "Faridpur",
      arrivalTime: at(days, 3),
      departureTime: at(days, 3.25),
    },
    {
      id: "jessore",
      name: "Jessore Counter",
      city: "Jessore",
      arrivalTime: at(days, 6),
      departureTime: at(days, 6.25),
    },
    { id: "kolkata", name: "Esplanade", city: "Kolkata", arrivalTime: at(days, 12) },
  ];
}

/** A trip at `venueId` along `route()`, with a fare for each of its three legs (500, 400, 900 taka). */
export function coachTrip(venueId: string, overrides: Overrides<EventInit> = {}): EventInit {
  return {
    kind: EventKind.TRIP,
    category: Category.BUS,
    title: "Dhaka → Kolkata (Diu Paribahan)",
    venueId,
    stops: route(),
    currencyCode: "BDT",
    fares: [
      { boardingStopId: "dhaka", alightingStopId: "faridpur", price: { amountMinor: 50_000n } },
      { boardingStopId: "faridpur", alightingStopId: "jessore", price: { amountMinor: 40_000n } },
      { boardingStopId: "jessore", alightingStopId: "kolkata", price: { amountMinor: 90_000n } },
    ],
    ...overrides,
  } as EventInit;
}
