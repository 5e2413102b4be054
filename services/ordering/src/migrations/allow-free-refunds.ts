import { Migration } from "@mikro-orm/migrations";

/**
 * A refund of nothing: the tickets of a free order (a 100 % discount) are refunded — voided, their seats
 * back on sale — without money moving, and `recordRefund` keeps that as a SUCCEEDED refund of 0. The first
 * migration's `amount_minor > 0` refused it; a negative amount stays refused.
 */
export class AllowFreeRefunds extends Migration {
  override name = "ordering_0002_allow_free_refunds";

  override up(): void {
    this.addSql(`alter table "refund" drop constraint "refund_amount_minor_check";`);
    this.addSql(`alter table "refund" add constraint "refund_amount_minor_check" check ("amount_minor" >= 0);`);
  }
}
