import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { wholeMinutesFromNowMs } from "@marquee/mesh/testing";
import {
  Category,
  EventKind,
  type EventSchema,
  type VenueSchema,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/**
 * The coach every inventory test, race and benchmark sells per leg: Diu Paribahan's Dhaka → Kolkata, over
 * the border at Benapole — four legs, so one seat carries several riders.
 */

type VenueInit = MessageInitShape<typeof VenueSchema>;
type EventInit = MessageInitShape<typeof EventSchema>;

/** The route's stop ids in order: leg i runs from stop i to stop i+1. */
export const borderStops = ["dhaka", "faridpur", "jessore", "benapole", "kolkata"] as const;

const cities = ["Dhaka", "Faridpur", "Jessore", "Benapole", "Kolkata"];

/**
 * A 40-seat coach lettered as vehicles are: rows "1"–"10" of seats A–D, 2+2 (ids `cabin:7-A`), A and D
 * "window", B and C "aisle".
 */
export function letteredCoach(name = "Diu Paribahan Scania coach (40 seats, 2+2)"): VenueInit {
  return {
    name,
    countryCode: "BD",
    timeZone: "Asia/Dhaka",
    sections: [
      {
        id: "cabin",
        name: "Cabin",
        layout: {
          case: "seated",
          value: {
            rows: Array.from({ length: 10 }, (_, row) => ({
              label: String(row + 1),
              seats: [..."ABCD"].map((letter, i) => ({
                label: letter,
                x: i + (i >= 2 ? 1 : 0),
                y: row,
                seatClass: "AD".includes(letter) ? "window" : "aisle",
              })),
            })),
          },
        },
      },
    ],
  };
}

/**
 * A trip on `venueId` along `borderStops`, leaving in `days` days on a whole minute, three hours a leg
 * with half an hour at each stop, a fare of 500 taka per leg.
 */
export function borderTrip(
  venueId: string,
  options: { days?: number; overrides?: Partial<EventInit> } = {},
): EventInit {
  const departMs = wholeMinutesFromNowMs({ days: options.days ?? 20 });
  const at = (hours: number) => timestampFromMs(departMs + hours * 3_600_000);
  return {
    kind: EventKind.TRIP,
    category: Category.BUS,
    title: "Dhaka → Kolkata (Diu Paribahan)",
    venueId,
    currencyCode: "BDT",
    stops: borderStops.map((id, stop) => ({
      id,
      name: `${cities[stop]} counter`,
      city: cities[stop] ?? "",
      ...(stop > 0 ? { arrivalTime: at(stop * 3) } : {}),
      ...(stop < borderStops.length - 1 ? { departureTime: at(stop * 3 + 0.5) } : {}),
    })),
    fares: borderStops.slice(0, -1).map((id, leg) => ({
      boardingStopId: id,
      alightingStopId: borderStops[leg + 1] ?? "",
      price: { amountMinor: 50_000n },
    })),
    ...options.overrides,
  } as EventInit;
}
