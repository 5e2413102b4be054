import type { organizerEn } from "./organizer.en.js";

/** The organizer pages' Bengali text: every key of `organizer.en.ts`. */
export const organizerBn: Record<keyof typeof organizerEn, string> = {};
