import { AvailabilityLevel } from "@marquee/proto/marquee/search/v1/search_pb.js";

/** The share of the capacity at or below which the proto calls availability LIMITED. */
const limitedShare = 0.1;

/** The coarse level the proto defines: more than 10% left AVAILABLE, some LIMITED, none SOLD_OUT. */
export function availabilityLevelOf(capacity: number, available: number): AvailabilityLevel {
  if (capacity <= 0) return AvailabilityLevel.UNSPECIFIED;
  if (available <= 0) return AvailabilityLevel.SOLD_OUT;
  return available > capacity * limitedShare ? AvailabilityLevel.AVAILABLE : AvailabilityLevel.LIMITED;
}
