import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { callerIdOf, defineRpc } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { priceHold } from "../checkout/price-hold.js";
import type { Ordering } from "../ordering.js";
import { moneyIn, toLineItem } from "../store/messages.js";
import { checkHoldId } from "./request-rules.js";

/** OrderingService.QuoteOrder: the hold priced exactly as CreateOrder would charge it now; stores nothing. */
export const quoteOrder = defineRpc(OrderingService.method.quoteOrder, {
  rules(request, check) {
    checkHoldId(check, request.holdId);
    check.maxLength("discount_code", request.discountCode, 64);
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const { price, expireTime } = await priceHold(ordering, request.holdId, callerIdOf(call), request.discountCode);
      const money = moneyIn(price.currencyCode);
      return {
        lineItems: price.lineItems.map((line) => toLineItem(line, line, money)),
        subtotal: money(price.subtotalMinor),
        fees: money(price.feesMinor),
        total: money(price.totalMinor),
        discount: money(price.discountMinor),
        expireTime: timestampFromDate(expireTime),
      };
    };
  },
});
