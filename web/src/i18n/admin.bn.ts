import type { adminEn } from "./admin.en.js";

/** The admin pages' Bengali text: every key of `admin.en.ts`. */
export const adminBn: Record<keyof typeof adminEn, string> = {};
