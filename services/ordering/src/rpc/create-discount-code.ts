import { randomUUID } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { alreadyExists, defineRpc, invalidArgument, outsideCall } from "@marquee/mesh";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import { managedEventOf } from "../checkout/managed-event.js";
import { DiscountCodeEntity } from "../entities/index.js";
import type { Ordering } from "../ordering.js";
import { normalCode } from "../store/discount-codes.js";
import { toDiscountCodeMessage } from "../store/messages.js";

/** 3 to 32 letters, digits or dashes: what a buyer can read off a poster and type on a phone. */
const codePattern = /^[A-Za-z0-9-]{3,32}$/;

/**
 * OrderingService.CreateDiscountCode: a code for one of the organizer's events. Stored in upper case
 * under a unique (event, code), so two spellings of one code cannot both exist.
 */
export const createDiscountCode = defineRpc(OrderingService.method.createDiscountCode, {
  rules(request, check) {
    const code = request.discountCode;
    if (!check.present("discount_code", code)) return;
    check.id("discount_code.event_id", code.eventId);
    check.matches("discount_code.code", code.code, codePattern, "must be 3 to 32 letters, digits or dashes");
    const hasPercent = code.percentOff !== 0;
    const hasAmount = code.amountOff !== undefined;
    if (
      check.that("discount_code.percent_off", hasPercent !== hasAmount, "set exactly one of percent_off and amount_off")
    ) {
      if (hasPercent) check.range("discount_code.percent_off", code.percentOff, 1, 100);
      if (code.amountOff !== undefined) {
        check.that("discount_code.amount_off.amount_minor", code.amountOff.amountMinor > 0n, "must be positive");
      }
    }
    check.that("discount_code.max_uses", code.maxUses >= 0, "must not be negative (0: no limit)");
    if (code.validUntil !== undefined) {
      check.that(
        "discount_code.valid_until",
        timestampDate(code.validUntil).getTime() > Date.now(),
        "must be in the future",
      );
    }
  },
  handler(ordering: Ordering) {
    return async (request, call) => {
      const wanted = request.discountCode;
      if (wanted === undefined) throw new Error("rules let a request without discount_code through");
      const event = await outsideCall(() => managedEventOf(ordering, wanted.eventId, call.principal));
      if (wanted.amountOff !== undefined && wanted.amountOff.currencyCode !== event.currencyCode) {
        throw invalidArgument("discount_code.amount_off.currency_code", `the event is priced in ${event.currencyCode}`);
      }
      const row: DiscountCodeEntity = {
        id: randomUUID(),
        eventId: event.id,
        organizerId: event.organizerId,
        code: normalCode(wanted.code),
        percentOff: wanted.percentOff,
        currencyCode: event.currencyCode,
        amountOffMinor: wanted.amountOff?.amountMinor ?? 0n,
        maxUses: wanted.maxUses,
        useCount: 0,
        validUntil: wanted.validUntil ? timestampDate(wanted.validUntil) : null,
        createTime: new Date(),
      };
      try {
        await ordering.orm.em.fork().insert(DiscountCodeEntity, row);
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          throw alreadyExists(`event ${event.id} has the discount code ${row.code} already`);
        }
        throw error;
      }
      call.log.info({ eventId: event.id, code: row.code, maxUses: row.maxUses }, "discount code created");
      return { discountCode: toDiscountCodeMessage(row) };
    };
  },
});
