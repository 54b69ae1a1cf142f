import { returnCode } from './codes.ts';
import type { OrdersContext } from './context.ts';

// Cancelling an event: its sale closes, unpaid orders are cancelled, and every paid order is
// refunded whole. The cancellation is recorded first and resumed at every start until no
// paid order is left, so a crash half-way leaves nothing half done; each refund is keyed by
// the order, so resuming never refunds twice.

export interface CancelSteps {
  /** Closes the sale (the catalog's status). */
  closeSale(eventId: string): Promise<void>;
  /** Refunds one order whole under `key`. */
  refundWhole(orderId: string, key: string, reason: string): Promise<void>;
}

export async function startCancellation(ctx: OrdersContext, eventId: string, reason: string): Promise<void> {
  await ctx.db.query(
    'INSERT INTO event_cancellations (event_id, reason) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING',
    [eventId, reason],
  );
}

/** Runs a recorded cancellation to its end; returns how many orders it refunded now. */
export async function runCancellation(
  ctx: OrdersContext,
  steps: CancelSteps,
  eventId: string,
): Promise<number> {
  const { rows: c } = await ctx.db.query<{ reason: string; finished_at: Date | null }>(
    'SELECT reason, finished_at FROM event_cancellations WHERE event_id = $1',
    [eventId],
  );
  if (!c[0] || c[0].finished_at) return 0;
  const reason = c[0].reason;
  await steps.closeSale(eventId);
  // Unpaid orders can no longer be paid (their holds go with the sale).
  const { rows: unpaid } = await ctx.db.query<{ code: string | null }>(
    `UPDATE orders SET status = 'cancelled', updated_at = now()
      WHERE event_id = $1 AND status IN ('pending_payment', 'expired') AND payment_status IS DISTINCT FROM 'succeeded'
      RETURNING code`,
    [eventId],
  );
  for (const r of unpaid) if (r.code) await returnCode(ctx.db, eventId, r.code);
  let refunded = 0;
  for (;;) {
    const { rows } = await ctx.db.query<{ id: string }>(
      `SELECT id FROM orders WHERE event_id = $1 AND status IN ('paid', 'partially_refunded')
         AND refunded < total ORDER BY created_at LIMIT 100`,
      [eventId],
    );
    const comps = await ctx.db.query<{ id: string }>(
      `SELECT o.id FROM orders o WHERE o.event_id = $1 AND o.status IN ('paid', 'partially_refunded') AND o.total = 0
         AND EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id AND t.status = 'valid') LIMIT 100`,
      [eventId],
    );
    const batch = [...rows, ...comps.rows];
    if (batch.length === 0) break;
    for (const o of batch) {
      await steps.refundWhole(o.id, `cancel-event:${o.id}`, reason);
      refunded++;
    }
  }
  await ctx.db.query('UPDATE event_cancellations SET finished_at = now() WHERE event_id = $1', [eventId]);
  ctx.log.info({ eventId, refunded }, 'event cancelled: every paid order refunded');
  return refunded;
}

export async function unfinishedCancellations(ctx: OrdersContext): Promise<string[]> {
  const { rows } = await ctx.db.query<{ event_id: string }>(
    'SELECT event_id FROM event_cancellations WHERE finished_at IS NULL',
  );
  return rows.map((r) => r.event_id);
}
