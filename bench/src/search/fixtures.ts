import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  Category,
  type Event,
  EventKind,
  EventSchema,
  EventState,
} from "@marquee/proto/marquee/catalog/v1/resources_pb.js";

/**
 * The benchmark's 100,000 listings: catalog Events as GetEvent would return them, made up from fixed word
 * lists by a seeded generator, so every run searches the same corpus. Four in five are events (concerts,
 * theatre, sports…) in 40 cities and 200 venues; one in five a trip of 3 to 6 stops, a fare per leg,
 * half of the coaches along Dhaka → Jessore → Benapole → Kolkata (the route queries' corridor).
 */

const cities = [
  "Dhaka",
  "Chittagong",
  "Khulna",
  "Rajshahi",
  "Sylhet",
  "Barisal",
  "Rangpur",
  "Mymensingh",
  "Comilla",
  "Jessore",
  "Benapole",
  "Kolkata",
  "Cox's Bazar",
  "Bogra",
  "Dinajpur",
  "Faridpur",
  "Narayanganj",
  "Gazipur",
  "Tangail",
  "Pabna",
  "Kushtia",
  "Noakhali",
  "Feni",
  "Brahmanbaria",
  "Habiganj",
  "Moulvibazar",
  "Sunamganj",
  "Jamalpur",
  "Kishoreganj",
  "Madaripur",
  "Gopalganj",
  "Satkhira",
  "Bagerhat",
  "Patuakhali",
  "Bhola",
  "Chandpur",
  "Lakshmipur",
  "Siliguri",
  "Agartala",
  "Shillong",
];
const artists = [
  "Coldplay",
  "Arnob",
  "Shironamhin",
  "Warfaze",
  "Artcell",
  "Chirkutt",
  "Aurthohin",
  "Nemesis",
  "Minar",
  "Habib",
  "Bappa",
  "Tahsan",
  "Fuad",
  "Joler Gaan",
  "Meghdol",
  "Highway",
  "Vibe",
  "Lalon Band",
  "Arbovirus",
  "Cryptic Fate",
  "Black",
  "Nagar Baul",
  "Miles",
  "Feedback",
  "Souls",
  "LRB",
  "Dalchhut",
  "Bay of Bengal",
  "Kaaktaal",
  "Indalo",
  "Poth Hara",
  "Ashes",
  "Ajob",
  "Taalpatar",
  "Encore",
  "Stentorian",
  "Chronic Xorn",
  "Bangla",
  "Krishnokoli",
  "Shunno",
];
const shows = ["Live", "Unplugged", "World Tour", "Reunion", "Night", "Festival", "Acoustic Evening", "Anniversary"];
const plays = ["Hamlet", "Raktakarabi", "Nuruldiner Sarajibon", "Kittonkhola", "Macbeth", "Chaka", "Jaiborti"];
const venueWords = ["Stadium", "Hall", "Arena", "Auditorium", "Theatre", "Club", "Convention Centre", "Park"];
const operators = ["Green Line", "Shohagh", "Hanif", "Shyamoli", "Ena", "Desh Travels", "Biman", "US-Bangla"];
const corridor = ["Dhaka", "Jessore", "Benapole", "Kolkata"];
const eventCategories = [
  Category.CONCERT,
  Category.CONCERT,
  Category.CONCERT,
  Category.THEATRE,
  Category.SPORTS,
  Category.FESTIVAL,
  Category.COMEDY,
  Category.CONFERENCE,
];

/** A deterministic generator (mulberry32), so every run loads the same corpus. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, pick, int };
}

const hourMs = 3600_000;
const bdt = (major: number) => ({ currencyCode: "BDT", amountMinor: BigInt(major * 100) });

/** Listing number `index` of the corpus (ids are fresh each run; everything else repeats). */
export function benchEvent(index: number, now: number): Event {
  const random = generator(index * 7919 + 17);
  // Whole minutes in the coming year, so past events never enter the queries' results.
  const start = new Date(Math.floor((now + hourMs + random.next() * 365 * 24 * hourMs) / 60_000) * 60_000);
  const at = (hours: number) => timestampFromDate(new Date(start.getTime() + hours * hourMs));
  if (index % 5 === 4) {
    const isCorridor = random.next() < 0.5;
    const stops = isCorridor
      ? corridor.slice(random.int(0, 1), random.int(3, 4))
      : [...new Set(Array.from({ length: random.int(3, 6) }, () => random.pick(cities)))];
    if (stops.length < 2) stops.push(random.pick(corridor.filter((city) => !stops.includes(city))));
    const operator = random.pick(operators);
    const isFlight = operator === "Biman" || operator === "US-Bangla";
    return create(EventSchema, {
      id: randomUUID(),
      kind: EventKind.TRIP,
      category: isFlight ? Category.FLIGHT : Category.BUS,
      title: `${stops[0]} → ${stops.at(-1)} (${operator})`,
      description: `${operator} service calling at ${stops.join(", ")}.`,
      venueName: isFlight ? "ATR 72-600" : `${operator} 40-seat coach`,
      city: stops[0],
      startTime: at(0),
      endTime: at(3 * (stops.length - 1)),
      stops: stops.map((city, i) => ({
        id: `stop-${i + 1}`,
        name: `${city} ${isFlight ? "Airport" : "Bus Terminal"}`,
        city,
        ...(i > 0 ? { arrivalTime: at(3 * i - 0.25) } : {}),
        ...(i < stops.length - 1 ? { departureTime: at(3 * i) } : {}),
      })),
      currencyCode: "BDT",
      fares: stops.slice(1).map((_, i) => ({
        boardingStopId: `stop-${i + 1}`,
        alightingStopId: `stop-${i + 2}`,
        price: bdt(random.int(3, 15) * 100),
      })),
      state: EventState.PUBLISHED,
      capacity: 40,
    });
  }
  const category = random.pick(eventCategories);
  const city = random.pick(cities);
  const title =
    category === Category.THEATRE
      ? `${random.pick(plays)} — ${random.pick(artists)} Theatre Group`
      : `${random.pick(artists)} ${random.pick(shows)} ${city}`;
  const lowest = random.int(5, 80) * 100;
  return create(EventSchema, {
    id: randomUUID(),
    kind: EventKind.EVENT,
    category,
    title,
    description: `An evening with ${title} in ${city}. Doors open an hour before.`,
    venueName: `${city} ${random.pick(venueWords)} ${random.int(1, 5)}`,
    city,
    startTime: at(0),
    endTime: at(3),
    currencyCode: "BDT",
    priceTiers: [
      { id: "a", name: "Front", price: bdt(lowest * 3), sectionIds: ["front"] },
      { id: "b", name: "Back", price: bdt(lowest), sectionIds: ["back"] },
    ],
    state: EventState.PUBLISHED,
    capacity: random.int(100, 5000),
  });
}
