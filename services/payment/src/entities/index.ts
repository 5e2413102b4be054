import { IdempotencyKeyEntity } from "./idempotency-key.js";
import { PaymentEntity } from "./payment.js";
import { PaymentRefundEntity } from "./payment-refund.js";
import { WebhookEventEntity } from "./webhook-event.js";

export { IdempotencyKeyEntity, PaymentEntity, PaymentRefundEntity, WebhookEventEntity };

/** Every entity of the payment service, for `openDatabase`. */
export const entities = [PaymentEntity, PaymentRefundEntity, IdempotencyKeyEntity, WebhookEventEntity];
