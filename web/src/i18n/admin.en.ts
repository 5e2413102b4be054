/** The admin pages' English text; merged into `en.ts`, translated in `admin.bn.ts`. */
export const adminEn = {} as const;
