/** The organizer pages' English text; merged into `en.ts`, translated in `organizer.bn.ts`. */
export const organizerEn = {} as const;
