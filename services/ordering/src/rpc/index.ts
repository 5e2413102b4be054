/** One entry per RPC of OrderingService and OrderingInternalService, each from its own file (`OrderingService.CreateOrder` → `create-order.ts`). */
export { cancelOrder } from "./cancel-order.js";
export { createDiscountCode } from "./create-discount-code.js";
export { createOrder } from "./create-order.js";
export { getOrder } from "./get-order.js";
export { getOrderForNotification } from "./get-order-for-notification.js";
export { getTicket } from "./get-ticket.js";
export { listDiscountCodes } from "./list-discount-codes.js";
export { listMyOrders } from "./list-my-orders.js";
export { listOrders } from "./list-orders.js";
export { quoteOrder } from "./quote-order.js";
export { refundOrder } from "./refund-order.js";
export { salesReport } from "./sales-report.js";
export { verifyTicket } from "./verify-ticket.js";
