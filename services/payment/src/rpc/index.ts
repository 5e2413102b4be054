/** One entry per RPC of PaymentService, each from its own file (`PaymentService.Capture` → `capture.ts`). */
export { authorize } from "./authorize.js";
export { capture } from "./capture.js";
export { getPayment } from "./get-payment.js";
export { refund } from "./refund.js";
// `void` is a keyword, so PaymentService.Void's entry is `voidPayment`.
export { voidPayment } from "./void.js";
