import { createHash } from 'node:crypto';
import { nanoid } from 'nanoid';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { User } from '../user.ts';
import { takeCode } from './codes.ts';
import type { OrdersContext } from './context.ts';
import { keyReused } from './errors.ts';
import { linesOf } from './lines.ts';
import { readPolicy } from './policy.ts';
import { NO_FEES, quote } from './pricing.ts';
import {
  findOrder,
  type Method,
  ORDER_COLUMNS,
  type OrderRow,
  type OrderView,
  orderView,
  type StoredQuote,
  views,
} from './store.ts';

// A fan's live holds becoming an order, priced and waiting for payment. The Idempotency-Key
// (scoped to the buyer) makes a retry, or a double click, return the same order and the same
// payment: the order row is keyed by it, and the provider's intent by the order. The same
// key with another body is refused.

const id = z.string().min(1).max(128);

export const checkoutSchema = z
  .object({
    eventId: id,
    /** The holds to buy; all the fan's live holds of the event when absent. */
    holdIds: z.array(id).min(1).max(20).optional(),
    code: z.string().min(1).max(32).optional(),
    /** Where the confirmation goes; the account's email when absent. */
    email: z.email().max(254).optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();
export type CheckoutRequest = z.infer<typeof checkoutSchema>;

export interface PaymentInfo {
  provider: string;
  paymentId: string | null;
  clientSecret: string | null;
  status: string | null;
}

export interface CheckoutResult {
  order: OrderView;
  /** Null when nothing is to be paid (a free order, a box-office sale). */
  payment: PaymentInfo | null;
  /** False when the key answered an earlier checkout. */
  created: boolean;
}

export interface NewOrder {
  user: User;
  eventId: string;
  holdIds?: string[];
  code?: string;
  email: string;
  name?: string;
  channel: 'online' | 'box_office';
  method: Method;
  key: string;
  digest: string;
  /** Box office comps: every ticket at no charge. */
  comp?: boolean;
}

export function digestOf(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('base64url');
}

async function byKey(ctx: OrdersContext, fanId: string, key: string): Promise<OrderRow | null> {
  const { rows } = await ctx.db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE fan_id = $1 AND idempotency_key = $2`,
    [fanId, key],
  );
  return rows[0] ?? null;
}

/**
 * Creates the order in one transaction (the order, its holds, its code's use): all or
 * nothing. Returns the existing order when the key was used before with the same body.
 */
export async function placeOrder(
  ctx: OrdersContext,
  o: NewOrder,
): Promise<{ row: OrderRow; created: boolean }> {
  const earlier = await byKey(ctx, o.user.id, o.key);
  if (earlier) {
    if (earlier.request_digest !== o.digest) throw keyReused();
    return { row: earlier, created: false };
  }
  const ev = await ctx.events.need(o.eventId);
  const now = Date.now();
  const live = (await ev.handle.query('holdsOf', { fanId: o.user.id })).filter((h) => h.expiresAt > now);
  let holds = live;
  if (o.holdIds) {
    const wanted = new Set(o.holdIds);
    holds = live.filter((h) => wanted.has(h.holdId));
    const missing = o.holdIds.find((h) => !holds.some((x) => x.holdId === h));
    if (missing !== undefined)
      throw new AppError('HOLD_NOT_FOUND', `no live hold "${missing.slice(0, 64)}" of yours on this event`);
  }
  if (holds.length === 0)
    throw new AppError('NO_HOLDS', 'hold seats first: you have no live hold on this event');
  const { prices } = await ev.handle.query('availability', {});
  const { lines, items } = linesOf(ev.layout, prices, holds);
  const policy = await readPolicy(ctx.db, ev.id);
  const orderId = `ord_${nanoid(16)}`;
  const expiresAt = Math.min(...holds.map((h) => h.expiresAt));
  try {
    return await ctx.db.transaction(async (tx) => {
      const discount = o.comp ? { percentBp: 10_000 } : o.code ? await takeCode(tx, ev.id, o.code) : null;
      // Complimentary tickets cost nothing at all: no fee, no tax.
      const charged = o.comp ? { ...policy, ...NO_FEES } : policy;
      const q: StoredQuote = { ...quote(charged, lines, discount), items };
      const { rows } = await tx.query<OrderRow>(
        `INSERT INTO orders (id, event_id, fan_id, email, name, status, channel, method, currency, quote,
           total, code, hold_ids, idempotency_key, request_digest, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'pending_payment', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (fan_id, idempotency_key) DO NOTHING RETURNING ${ORDER_COLUMNS}`,
        [
          orderId,
          ev.id,
          o.user.id,
          o.email.trim().toLowerCase(),
          o.name ?? null,
          o.channel,
          // Nothing to pay online (a full discount): no provider is asked.
          q.total === 0 && o.method === 'card' ? 'free' : o.method,
          q.currency,
          JSON.stringify(q),
          q.total,
          o.code ? o.code.toUpperCase() : null,
          holds.map((h) => h.holdId),
          o.key,
          o.digest,
          new Date(expiresAt),
        ],
      );
      if (!rows[0]) throw new KeyRace();
      await tx.query('INSERT INTO order_holds (hold_id, order_id) SELECT unnest($1::text[]), $2', [
        holds.map((h) => h.holdId),
        orderId,
      ]);
      return { row: rows[0], created: true };
    });
  } catch (e) {
    // A concurrent request with the same key committed first: answer as its retry.
    if (e instanceof KeyRace) return placeOrder(ctx, o);
    if (isUniqueViolation(e, 'order_holds_pkey'))
      throw new AppError('HOLD_IN_ORDER', 'a hold of this checkout is in another order already');
    throw e;
  }
}

class KeyRace extends Error {}

function isUniqueViolation(e: unknown, constraint: string): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  return err?.code === '23505' && (err.constraint === constraint || (err.message ?? '').includes(constraint));
}

/** The order's payment with the provider, asked for once (the intent is keyed by the order). */
export async function ensureIntent(ctx: OrdersContext, row: OrderRow): Promise<PaymentInfo> {
  if (row.payment_id === null && row.status === 'pending_payment') {
    const intent = await ctx.payments.createIntent({
      orderId: row.id,
      amount: row.total,
      currency: row.currency,
      idempotencyKey: `order-${row.id}`,
      email: row.email,
      description: `onsale order ${row.id}`,
    });
    const { rows } = await ctx.db.query<OrderRow>(
      `UPDATE orders SET payment_id = $2, payment_secret = $3, payment_status = coalesce(payment_status, $4),
         updated_at = now() WHERE id = $1 AND payment_id IS NULL RETURNING ${ORDER_COLUMNS}`,
      [row.id, intent.id, intent.clientSecret, intent.status],
    );
    // Another request for the same order stored its intent first: that one stands.
    Object.assign(row, rows[0] ?? (await findOrder(ctx.db, row.id))!);
  }
  return {
    provider: ctx.payments.name,
    paymentId: row.payment_id,
    clientSecret: row.payment_secret,
    status: row.payment_status,
  };
}

export async function orderResult(
  ctx: OrdersContext,
  row: OrderRow,
  created: boolean,
): Promise<CheckoutResult> {
  const payment = row.total > 0 && row.method === 'card' ? await ensureIntent(ctx, row) : null;
  // An order just made has no ticket yet: no need to look.
  const order =
    created && row.status === 'pending_payment' ? orderView(row, []) : (await views(ctx.db, [row]))[0];
  return { order, payment, created };
}
