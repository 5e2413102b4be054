import type { Ride } from "@marquee/proto/marquee/api/v1/ride_pb.js";
import { InventoryService } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { useEffect, useState } from "react";
import { clientOf } from "../api/transport.js";
import { type Availability, applyAvailability, unknownAvailability } from "./availability.js";

const inventory = clientOf(InventoryService);

/** Waits before reconnecting a broken stream: 0.5 s, doubling to 8 s, so a restarting server is not stormed. */
const retryDelaysMs = [500, 1000, 2000, 4000, 8000];

/**
 * The live availability of an event (for a trip, of one ride) from WatchAvailability: a snapshot, then
 * every hold, release, expiry and sale within a second. A broken stream is opened again, and its new
 * snapshot replaces what the map showed, so nothing missed while it was down stays on the map.
 */
export function useAvailability(eventId: string, ride: Ride | undefined, isEnabled = true): Availability {
  const [availability, setAvailability] = useState<Availability>(unknownAvailability);
  const rideKey = ride ? `${ride.boardingStopId}>${ride.alightingStopId}` : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: rideKey stands for ride, a new object each render
  useEffect(() => {
    if (!isEnabled) return;
    const abort = new AbortController();
    setAvailability(unknownAvailability);
    void (async () => {
      for (let attempt = 0; !abort.signal.aborted; attempt++) {
        try {
          const stream = inventory.watchAvailability({ eventId, ...(ride ? { ride } : {}) }, { signal: abort.signal });
          for await (const message of stream) {
            attempt = 0;
            setAvailability((before) => applyAvailability(before, message));
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        const delay = retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)] ?? 8000;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    })();
    return () => abort.abort();
  }, [eventId, rideKey, isEnabled]);
  return availability;
}
