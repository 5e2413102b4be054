/** A run of consecutive slot indexes: a row of the seat map, a part of one, or a GA section's places. */
export interface RowRun {
  readonly firstSeatIndex: number;
  readonly seatCount: number;
}
