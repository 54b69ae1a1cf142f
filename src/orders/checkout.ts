import { createHash } from 'node:crypto';
import { nanoid } from 'nanoid';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Db } from '../persistence/db.ts';
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
    /** A resale listing to buy instead of holds (GET /api/events/:id/resale): one per order. */
    listingId: id.optional(),
    code: z.string().min(1).max(32).optional(),
    /** Where the confirmation goes; the account's email when absent. */
    email: z.email().max(254).optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((r) => !(r.listingId && (r.holdIds || r.code)), {
    message: 'a resale listing is bought on its own: no holds, no code',
    path: ['listingId'],
  });
export type CheckoutRequest = z.infer<typeof checkoutSchema>;

export interface PaymentInfo {
  provider: string;
  paymentId: string | null;
  clientSecret: string | null;
  status: string | null;
  /** Stripe: the publishable key the page's card form (Stripe.js) confirms clientSecret with. */
  publishableKey?: string;
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
  listingId?: string;
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
  if (o.listingId) return placeResale(ctx, o, o.listingId);
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
      const row = await insertOrder(
        tx,
        o,
        orderId,
        q,
        holds.map((h) => h.holdId),
        new Date(expiresAt),
      );
      await tx.query('INSERT INTO order_holds (hold_id, order_id) SELECT unnest($1::text[]), $2', [
        holds.map((h) => h.holdId),
        orderId,
      ]);
      return { row, created: true };
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

/** The order's row, pending payment; KeyRace when a request with the same key got there first. */
async function insertOrder(
  tx: Db,
  o: NewOrder,
  orderId: string,
  q: StoredQuote,
  holdIds: string[],
  expiresAt: Date,
): Promise<OrderRow> {
  const { rows } = await tx.query<OrderRow>(
    `INSERT INTO orders (id, event_id, fan_id, email, name, status, channel, method, currency, quote,
       total, code, hold_ids, idempotency_key, request_digest, expires_at)
     VALUES ($1, $2, $3, $4, $5, 'pending_payment', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (fan_id, idempotency_key) DO NOTHING RETURNING ${ORDER_COLUMNS}`,
    [
      orderId,
      o.eventId,
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
      holdIds,
      o.key,
      o.digest,
      expiresAt,
    ],
  );
  if (!rows[0]) throw new KeyRace();
  return rows[0];
}

/** How long a buyer has to pay for a resale listing before another buyer may take it. */
export const RESALE_RESERVE_MS = 10 * 60_000;

/**
 * A resale listing becoming an order: priced at the listing's price (the seller's price is
 * what the buyer pays: no fee or tax on top, the cap already counts the first sale's), and
 * reserved for the order in the same transaction, so two buyers racing for one listing get
 * one order between them.
 */
async function placeResale(
  ctx: OrdersContext,
  o: NewOrder,
  listingId: string,
): Promise<{ row: OrderRow; created: boolean }> {
  if (!ctx.resale) throw new AppError('LISTING_UNAVAILABLE', 'this server has no resale market');
  const line = await ctx.resale.offer(listingId, o.user.id);
  if (line.eventId !== o.eventId)
    throw new AppError(
      'LISTING_NOT_FOUND',
      `no listing ${JSON.stringify(listingId.slice(0, 64))} on this event`,
    );
  const orderId = `ord_${nanoid(16)}`;
  const until = new Date(Date.now() + RESALE_RESERVE_MS);
  const lines = [
    { item: line.item, label: line.label, category: line.category, price: line.price, quantity: 1 },
  ];
  const q: StoredQuote = {
    ...quote({ currency: line.currency, ...NO_FEES }, lines),
    items: [{ listing: line.listingId, seat: line.seat, from: line.sellerId, fromOrder: line.sellerOrderId }],
  };
  try {
    return await ctx.db.transaction(async (tx) => {
      const row = await insertOrder(tx, o, orderId, q, [], until);
      await ctx.resale!.reserve(tx, listingId, orderId, until);
      return { row, created: true };
    });
  } catch (e) {
    if (e instanceof KeyRace) return placeOrder(ctx, o);
    throw e;
  }
}

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
  const info: PaymentInfo = {
    provider: ctx.payments.name,
    paymentId: row.payment_id,
    clientSecret: row.payment_secret,
    status: row.payment_status,
  };
  if (ctx.publishableKey && ctx.payments.name === 'stripe') info.publishableKey = ctx.publishableKey;
  return info;
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
