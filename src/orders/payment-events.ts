import type { PaymentEvent } from '../payments/provider.ts';
import type { Db } from '../persistence/db.ts';
import type { OrdersContext } from './context.ts';
import { ORDER_COLUMNS, type OrderRow } from './store.ts';

// What a verified provider webhook does to an order. Webhooks come late, twice, and out of
// order: each is applied once (its id is recorded in the same transaction as its effect), and
// a success is final — a failure reported after it changes nothing.

export type RecordWebhook = (tx: Db, e: PaymentEvent) => Promise<boolean>;

/** Applies the webhook; the order to settle when it made the order's payment succeed. */
export async function applyPayment(
  ctx: OrdersContext,
  recordWebhook: RecordWebhook,
  e: PaymentEvent,
): Promise<OrderRow | null> {
  return ctx.db.transaction(async (tx) => {
    if (!(await recordWebhook(tx, e))) return null; // seen before
    if (e.type === 'refund_succeeded' || e.type === 'refund_failed') {
      if (e.refundId)
        await tx.query(
          `UPDATE refunds SET status = $2, updated_at = now() WHERE provider_refund_id = $1 AND status = 'pending'`,
          [e.refundId, e.type === 'refund_succeeded' ? 'succeeded' : 'failed'],
        );
      return null;
    }
    if (e.type === 'ignored') return null;
    const { rows } = await tx.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE payment_id = $1 FOR UPDATE`,
      [e.paymentId],
    );
    const order = rows[0] ?? null;
    if (!order) {
      ctx.log.warn({ paymentId: e.paymentId, webhook: e.id }, 'webhook for a payment of no order');
      return null;
    }
    if (order.payment_status === 'succeeded') return null; // final
    if (e.type === 'payment_failed') {
      await tx.query(
        `UPDATE orders SET payment_status = 'failed', payment_error = $2, updated_at = now() WHERE id = $1`,
        [order.id, e.error ? `${e.error.code}: ${e.error.message}` : 'the payment failed'],
      );
      return null;
    }
    if (e.amount !== order.total || e.currency.toUpperCase() !== order.currency)
      ctx.log.error(
        { orderId: order.id, amount: e.amount, total: order.total },
        'payment amount differs from the order',
      );
    await tx.query(
      `UPDATE orders SET payment_status = 'succeeded', payment_error = NULL, updated_at = now() WHERE id = $1`,
      [order.id],
    );
    return { ...order, payment_status: 'succeeded' };
  });
}
