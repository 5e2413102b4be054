import { defineRpc, notFound } from "@marquee/mesh";
import { PaymentService } from "@marquee/proto/marquee/payment/v1/payment_pb.js";
import type { Payments } from "../payments.js";
import { paymentMessage } from "../store/messages.js";
import { findPaymentOfOrder, readSnapshot } from "../store/payments.js";

/** PaymentService.GetPayment: a payment by its id or by its order's. */
export const getPayment = defineRpc(PaymentService.method.getPayment, {
  rules(request, check) {
    const hasPayment = request.paymentId !== "";
    const hasOrder = request.orderId !== "";
    if (
      !check.that(
        hasPayment ? "order_id" : "payment_id",
        hasPayment !== hasOrder,
        "set exactly one of payment_id and order_id",
      )
    ) {
      return;
    }
    if (hasPayment) check.uuid("payment_id", request.paymentId);
    else check.uuid("order_id", request.orderId);
  },
  handler({ orm, cipher }: Payments) {
    return async (request) => {
      const id = request.paymentId !== "" ? request.paymentId : (await findPaymentOfOrder(orm, request.orderId))?.id;
      const snapshot = id === undefined ? null : await readSnapshot(orm, id);
      if (snapshot === null) {
        throw request.paymentId !== ""
          ? notFound("payment", request.paymentId)
          : notFound("payment of order", request.orderId);
      }
      return { payment: paymentMessage(cipher, snapshot) };
    };
  },
});
