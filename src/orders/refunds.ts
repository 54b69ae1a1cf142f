import { nanoid } from 'nanoid';
import { z } from 'zod';
import type { Envelope } from '../actors/event-port.ts';
import type { Db } from '../persistence/db.ts';
import type { OrdersContext } from './context.ts';
import { OrderError, orderNotFound } from './errors.ts';
import { transition } from './order-state.ts';
import { refundAmount } from './refund-amount.ts';
import { findOrder, type OrderRow } from './store.ts';

// Refunds, whole orders or some tickets. A refund is decided and recorded in one transaction
// (the refund row, the tickets refunded, the order's amount and status, its mail), then
// carried out: the seats go back on sale or are blocked (the operator chooses) through the
// event's actor, and the money goes back through the provider. Both steps are keyed by the
// refund, so the reconciler can repeat them after a crash until the refund is done.

const id = z.string().min(1).max(128);

export const refundSchema = z
  .object({
    /** Ticket ids to refund; the whole order when absent. */
    tickets: z.array(id).min(1).max(100).optional(),
    /** Where the seats go: back on sale (default) or blocked. */
    release: z.enum(['sale', 'blocked']).default('sale'),
    reason: z.string().min(1).max(500).optional(),
  })
  .strict();
export type RefundInput = z.infer<typeof refundSchema>;

export interface RefundView {
  id: string;
  orderId: string;
  amount: number;
  tickets: string[];
  reason: string;
  release: 'sale' | 'blocked';
  status: 'pending' | 'succeeded' | 'failed';
  createdAt: string;
}

interface RefundRow {
  id: string;
  order_id: string;
  key: string;
  amount: number;
  ticket_ids: string[];
  reason: string;
  release: 'sale' | 'blocked';
  status: 'pending' | 'succeeded' | 'failed';
  provider_refund_id: string | null;
  created_at: Date;
}

const view = (r: RefundRow): RefundView => ({
  id: r.id,
  orderId: r.order_id,
  amount: r.amount,
  tickets: r.ticket_ids,
  reason: r.reason,
  release: r.release,
  status: r.status,
  createdAt: new Date(r.created_at).toISOString(),
});

export interface RefundHooks {
  /** The refund was recorded in this transaction (its mail goes in the same one). */
  refunded(tx: Db, order: OrderRow, eventName: string, amount: number, reason: string): Promise<void>;
}

export async function refundsOf(db: Db, orderId: string): Promise<RefundView[]> {
  const { rows } = await db.query<RefundRow>(
    'SELECT * FROM refunds WHERE order_id = $1 ORDER BY created_at',
    [orderId],
  );
  return rows.map(view);
}

/** Records a refund (or finds the one recorded under `key`) and carries it out. */
export async function refund(
  ctx: OrdersContext,
  hooks: RefundHooks,
  orderId: string,
  input: RefundInput,
  key: string,
): Promise<{ refund: RefundView; created: boolean }> {
  const earlier = await byKey(ctx.db, key);
  const { row, created } = earlier
    ? { row: earlier, created: false }
    : await record(ctx, hooks, orderId, input, key);
  if (row.order_id !== orderId)
    throw new OrderError('IDEMPOTENCY_KEY_REUSED', 'this key refunded another order');
  return { refund: view(await carryOut(ctx, row)), created };
}

async function byKey(db: Db, key: string): Promise<RefundRow | null> {
  const { rows } = await db.query<RefundRow>('SELECT * FROM refunds WHERE key = $1', [key]);
  return rows[0] ?? null;
}

async function record(
  ctx: OrdersContext,
  hooks: RefundHooks,
  orderId: string,
  input: RefundInput,
  key: string,
): Promise<{ row: RefundRow; created: boolean }> {
  const found = await findOrder(ctx.db, orderId);
  if (!found) throw orderNotFound(orderId);
  // The event before the transaction: on PGlite (one connection) an actor starting inside it
  // would wait for it for ever.
  const ev = await ctx.events.need(found.event_id);
  return ctx.db.transaction(async (tx) => {
    const order = (await findOrder(tx, orderId, true))!;
    // The same refund sent twice at once: the order's lock made this one wait for the other.
    const raced = await byKey(tx, key);
    if (raced) return { row: raced, created: false };
    const { rows: valid } = await tx.query<{ id: string; price: number; place: number }>(
      `SELECT id, price, place FROM tickets WHERE order_id = $1 AND status = 'valid'`,
      [orderId],
    );
    const chosen = input.tickets ? valid.filter((t) => input.tickets!.includes(t.id)) : valid;
    if (input.tickets) {
      const unknown = input.tickets.find((t) => !valid.some((v) => v.id === t));
      if (unknown !== undefined)
        throw new OrderError(
          'TICKET_NOT_REFUNDABLE',
          `ticket "${unknown.slice(0, 64)}" is not a valid ticket of this order`,
        );
      const places = valid.filter((t) => t.place > 0);
      const chosenPlaces = chosen.filter((t) => t.place > 0);
      if (chosenPlaces.length > 0 && chosenPlaces.length < places.length)
        throw new OrderError(
          'PARTIAL_PLACES_REFUND',
          'standing places are refunded all together (or with the whole order)',
        );
    }
    const whole = chosen.length === valid.length;
    // Paid late and the seats were gone: the money goes back though no ticket was issued.
    const latePaid =
      (order.status === 'pending_payment' || order.status === 'expired') &&
      order.payment_status === 'succeeded';
    const remaining = valid.length - chosen.length;
    const t = latePaid
      ? ({ ok: true, status: 'refunded' } as const)
      : transition(order.status, { type: 'refunded', remaining });
    if (!t.ok) throw new OrderError('ORDER_NOT_REFUNDABLE', t.reason);
    if (order.refunded >= order.total && order.total > 0)
      throw new OrderError('ORDER_NOT_REFUNDABLE', 'the order is refunded already');
    if (!latePaid && chosen.length === 0)
      throw new OrderError('ORDER_NOT_REFUNDABLE', 'the order has no valid ticket left');
    const amount = refundAmount(
      order.quote,
      order.total,
      order.refunded,
      chosen.map((c) => c.price),
      whole || latePaid,
    );
    const reason =
      input.reason ?? (latePaid ? 'paid after the seats were gone' : 'refunded by the box office');
    const { rows } = await tx.query<RefundRow>(
      `INSERT INTO refunds (id, order_id, key, amount, ticket_ids, reason, release, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') RETURNING *`,
      [`ref_${nanoid(16)}`, orderId, key, amount, chosen.map((c) => c.id), reason, input.release],
    );
    await tx.query(`UPDATE tickets SET status = 'refunded' WHERE id = ANY($1::text[])`, [
      chosen.map((c) => c.id),
    ]);
    await tx.query(
      'UPDATE orders SET refunded = refunded + $2, status = $3, updated_at = now() WHERE id = $1',
      [orderId, amount, t.status],
    );
    await hooks.refunded(tx, order, ev.name, amount, reason);
    return { row: rows[0], created: true };
  });
}

/** The seats and the money, each step keyed by the refund (repeating it changes nothing). */
export async function carryOut(ctx: OrdersContext, r: RefundRow): Promise<RefundRow> {
  if (r.status !== 'pending') return r;
  const order = (await findOrder(ctx.db, r.order_id))!;
  const ev = await ctx.events.need(order.event_id);
  const { rows: items } = await ctx.db.query<{ item: string; place: number }>(
    'SELECT item, place FROM tickets WHERE id = ANY($1::text[])',
    [r.ticket_ids],
  );
  const seats = items.filter((t) => t.place === 0).map((t) => ev.layout.seatIndex.get(t.item)!);
  const places = items.some((t) => t.place > 0);
  const envelopes: Envelope[] = [];
  if (seats.length > 0 || places) {
    envelopes.push({
      // Standing places can only be cancelled with the whole order's (the domain's rule).
      command: places
        ? { type: 'cancelBooking', orderId: order.id }
        : { type: 'cancelBooking', orderId: order.id, seats },
      key: `refund-cancel:${r.id}`,
      by: 'orders',
    });
    if (r.release === 'blocked' && seats.length > 0)
      envelopes.push({ command: { type: 'block', seats }, key: `refund-block:${r.id}`, by: 'orders' });
  }
  if (envelopes.length > 0) {
    const outcomes = await ev.handle.submit(envelopes);
    const bad = outcomes.find(
      (o) => !o.ok && o.error.code !== 'ORDER_NOT_FOUND' && o.error.code !== 'SEAT_NOT_IN_ORDER',
    );
    if (bad && !bad.ok) throw new Error(`refund ${r.id}: ${bad.error.code} ${bad.error.message}`);
  }
  let status: RefundRow['status'] = 'succeeded';
  let providerId: string | null = null;
  if (order.method === 'card' && r.amount > 0 && order.payment_id) {
    const res = await ctx.payments.refund({
      paymentId: order.payment_id,
      amount: r.amount,
      idempotencyKey: r.id,
      reason: r.reason,
    });
    providerId = res.id;
    status = res.status === 'failed' ? 'failed' : res.status === 'pending' ? 'pending' : 'succeeded';
  }
  const { rows } = await ctx.db.query<RefundRow>(
    `UPDATE refunds SET status = $2, provider_refund_id = coalesce($3, provider_refund_id), updated_at = now()
      WHERE id = $1 RETURNING *`,
    [r.id, status, providerId],
  );
  return rows[0];
}

/** Refunds still to carry out (after a crash, or a provider that was down), oldest first. */
export async function pendingRefunds(db: Db): Promise<RefundRow[]> {
  const { rows } = await db.query<RefundRow>(
    `SELECT * FROM refunds WHERE status = 'pending' AND provider_refund_id IS NULL
       AND updated_at < now() - interval '2 seconds' ORDER BY created_at LIMIT 100`,
  );
  return rows;
}
