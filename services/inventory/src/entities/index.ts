import { SoldSeatEntity } from "./sold-seat.js";

export { SoldSeatEntity };

/** Every entity of inventory, for `openDatabase`. */
export const entities = [SoldSeatEntity];
