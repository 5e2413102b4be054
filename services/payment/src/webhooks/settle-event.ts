import { isCanonicalUuid } from "@marquee/mesh";
import type { PspEvent } from "../gateway/psp.js";
import type { Payments } from "../payments.js";
import { applyIntent, cancelLateAuthorization } from "../settlement/intents.js";
import { findPayment, placeOf, settleRefund } from "../store/payments.js";

/** What a webhook event did: took effect, was seen before, or had nothing to change. */
export type Settled = "applied" | "duplicate" | "ignored";

/**
 * Takes a verified gateway event into account, once: the event id is recorded (`webhook_event`) in the
 * transaction that applies it, so a redelivery, or the same event racing itself, changes nothing. Events
 * find their payment or refund by the ids this service put in the gateway's metadata; an intent whose id
 * disagrees with the one stored is ignored. The one gateway call an event can need (cancelling the late
 * authorization of a voided payment) happens before the event is recorded, so if it fails the event is
 * answered 5xx and comes again.
 */
export async function settleEvent(deps: Payments, event: PspEvent): Promise<Settled> {
  const { orm, cipher, psp, log } = deps;
  let paymentId: string | undefined;
  if (event.kind === "intent") {
    const candidate = event.intent.metadata.payment_id ?? "";
    const payment = isCanonicalUuid(candidate) ? await findPayment(orm, candidate) : null;
    const storedIntentId =
      payment === null
        ? null
        : cipher.openOrNull(payment.providerIntentId, placeOf("payment.provider_intent_id", payment.id));
    if (payment !== null && storedIntentId !== null && storedIntentId !== event.intent.id) {
      log.warn({ payment_id: payment.id, event_id: event.id }, "webhook intent differs from the payment's; ignored");
    } else if (payment !== null) {
      paymentId = payment.id;
      await cancelLateAuthorization(deps, orm.em.fork(), payment, event.intent);
    }
  }
  return await orm.em.fork().transactional(async (tx) => {
    const recorded = await tx.execute<{ event_id: string }[]>(
      `insert into webhook_event (provider, event_id, type, receive_time) values (?, ?, ?, now())
       on conflict do nothing returning event_id`,
      [psp.name, event.id, event.type],
    );
    if (recorded.length === 0) return "duplicate";
    let isChanged = false;
    if (event.kind === "intent" && paymentId !== undefined) {
      isChanged = await applyIntent(tx, cipher, paymentId, event.intent);
    } else if (event.kind === "refund") {
      const refundId = event.refund.metadata.refund_id ?? "";
      if (isCanonicalUuid(refundId)) isChanged = await settleRefund(tx, cipher, refundId, { refund: event.refund });
    }
    return isChanged ? "applied" : "ignored";
  });
}
