import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, failedPrecondition, invalidArgument, notFound } from "@marquee/mesh";
import { type Event, EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { type Hold, HoldState } from "@marquee/proto/marquee/inventory/v1/inventory_pb.js";
import { type DiscountRule, discount, type PricedOrder, priceOrder } from "../domain/pricing.js";
import type { DiscountCodeEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { findCode, isUsable } from "../store/discount-codes.js";

/** A live hold of the caller, its event, and its price as ordering charges it now. */
export interface PricedHold {
  readonly hold: Hold;
  readonly event: Event;
  readonly price: PricedOrder;
  readonly expireTime: Date;
  /** The discount code applied, when the buyer gave one. */
  readonly discountCode: DiscountCodeEntity | undefined;
}

/**
 * What QuoteOrder shows and CreateOrder charges, computed one way: the hold read from inventory (it must
 * be the caller's and live), the event from catalog (published, not cancelled), the seats priced by
 * catalog's QuotePrice for the hold's ride, then the buyer's discount code if any, then ordering's pricing
 * steps (fees). The client's idea of the price plays no part.
 */
export async function priceHold(
  ordering: Ordering,
  holdId: string,
  callerId: string,
  discountCodeText = "",
): Promise<PricedHold> {
  const hold = await liveHoldOf(ordering, holdId, callerId);
  const { event } = await ordering.catalog.getEvent({ eventId: hold.eventId });
  if (event === undefined || event.state !== EventState.PUBLISHED) {
    throw failedPrecondition("the event is no longer on sale", [
      {
        type: event?.state === EventState.CANCELLED ? "EVENT_CANCELLED" : "EVENT_NOT_ON_SALE",
        subject: `event:${hold.eventId}`,
        description: "orders are taken for published events only",
      },
    ]);
  }
  const quote = await ordering.catalog.quotePrice({
    eventId: hold.eventId,
    ...(hold.ride ? { ride: hold.ride } : {}),
    seatIds: hold.seatIds,
    places: hold.places.map(({ sectionId, quantity }) => ({ sectionId, quantity })),
  });
  const expireTime = hold.expireTime ? timestampDate(hold.expireTime) : new Date();
  const discountCode = discountCodeText === "" ? undefined : await usableCode(ordering, hold.eventId, discountCodeText);
  const steps = discountCode ? [discount(ruleOf(discountCode)), ...ordering.pricing] : ordering.pricing;
  return { hold, event, price: priceOrder(quote, steps), expireTime, discountCode };
}

/** The event's code as typed, when it may be used now; INVALID_ARGUMENT or FAILED_PRECONDITION otherwise. */
async function usableCode(ordering: Ordering, eventId: string, typed: string): Promise<DiscountCodeEntity> {
  const code = await findCode(ordering.orm, eventId, typed);
  if (code === null) throw invalidArgument("discount_code", "is not a discount code of this event");
  if (!isUsable(code)) throw discountCodeUnavailable(code.code);
  return code;
}

function ruleOf(code: DiscountCodeEntity): DiscountRule {
  return code.percentOff > 0 ? { percentOff: code.percentOff } : { amountOffMinor: code.amountOffMinor };
}

/** FAILED_PRECONDITION for a code with no use left or past its validity, as the proto names it. */
export function discountCodeUnavailable(code: string) {
  return failedPrecondition(`discount code ${code} can no longer be used`, [
    {
      type: "DISCOUNT_CODE_UNAVAILABLE",
      subject: "discount_code",
      description: "its uses are taken or it has lapsed; checkout without it or with another code",
    },
  ]);
}

/** The hold, when it is the caller's and still live; NOT_FOUND or FAILED_PRECONDITION as the proto says. */
async function liveHoldOf(ordering: Ordering, holdId: string, callerId: string): Promise<Hold> {
  let hold: Hold | undefined;
  try {
    ({ hold } = await ordering.inventory.readHold({ holdId }));
  } catch (thrown) {
    // An id inventory refuses as malformed names no hold the caller could have.
    const error = ConnectError.from(thrown);
    if (error.code === Code.InvalidArgument) throw notFound("hold", holdId);
    throw error;
  }
  // Another buyer's hold is answered as unknown, so hold ids cannot be probed.
  if (hold === undefined || hold.userId !== callerId) throw notFound("hold", holdId);
  const expired = hold.expireTime !== undefined && timestampDate(hold.expireTime).getTime() <= Date.now();
  if (hold.state !== HoldState.ACTIVE || expired) {
    const state = expired ? "expired" : HoldState[hold.state].toLowerCase();
    throw failedPrecondition(`the hold is no longer live: it is ${state}`, [
      { type: "HOLD_NOT_LIVE", subject: `hold:${holdId}`, description: "hold the seats again" },
    ]);
  }
  return hold;
}
