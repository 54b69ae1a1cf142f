import { AppError } from '../errors.ts';
import type { Db } from '../persistence/db.ts';
import { ORDER_COLUMNS, type OrderRow, type OrderView, views } from './store.ts';

// What operators read: an event's sales (tickets and revenue by tier and by minute), and
// orders found by email, order id, seat or ticket.

export interface SalesReport {
  eventId: string;
  currency: string | null;
  orders: number;
  tickets: number;
  /** What buyers paid, less refunds (fees and tax included), minor units. */
  revenue: number;
  refunded: number;
  byTier: { category: string; tickets: number; faceValue: number }[];
  byMinute: { minute: string; orders: number; tickets: number; revenue: number }[];
}

const SOLD = `('paid', 'partially_refunded', 'refunded')`;

export async function salesReport(db: Db, eventId: string): Promise<SalesReport> {
  const [totals, tiers, minutes] = await Promise.all([
    db.query<{ orders: number; revenue: number; refunded: number; currency: string | null }>(
      `SELECT count(*)::int AS orders, coalesce(sum(total - refunded), 0)::int AS revenue,
              coalesce(sum(refunded), 0)::int AS refunded, min(currency) AS currency
         FROM orders WHERE event_id = $1 AND status IN ${SOLD}`,
      [eventId],
    ),
    db.query<{ category: string; tickets: number; face: number }>(
      `SELECT category, count(*)::int AS tickets, sum(price)::int AS face FROM tickets
        WHERE event_id = $1 AND status = 'valid' GROUP BY category ORDER BY category`,
      [eventId],
    ),
    db.query<{ minute: Date; orders: number; tickets: number; revenue: number }>(
      `SELECT date_trunc('minute', o.paid_at) AS minute, count(*)::int AS orders,
              sum((SELECT count(*) FROM tickets t WHERE t.order_id = o.id))::int AS tickets,
              sum(o.total)::int AS revenue
         FROM orders o WHERE o.event_id = $1 AND o.status IN ${SOLD} AND o.paid_at IS NOT NULL
        GROUP BY 1 ORDER BY 1 DESC LIMIT 1440`,
      [eventId],
    ),
  ]);
  const t = totals.rows[0];
  return {
    eventId,
    currency: t?.currency ?? null,
    orders: t?.orders ?? 0,
    tickets: tiers.rows.reduce((n, r) => n + r.tickets, 0),
    revenue: t?.revenue ?? 0,
    refunded: t?.refunded ?? 0,
    byTier: tiers.rows.map((r) => ({ category: r.category, tickets: r.tickets, faceValue: r.face })),
    byMinute: minutes.rows
      .map((r) => ({
        minute: new Date(r.minute).toISOString(),
        orders: r.orders,
        tickets: r.tickets,
        revenue: r.revenue,
      }))
      .reverse(),
  };
}

export interface OrderSearch {
  email?: string;
  orderId?: string;
  /** A seat's public id or an area id (with eventId). */
  seat?: string;
  ticketId?: string;
  eventId?: string;
}

/**
 * Where a page of orders ends: the last order's creation time (to the microsecond, as stored:
 * milliseconds would skip orders made within the same one) and id, opaque to clients.
 */
function cursorOf(atMicros: string, id: string): string {
  return Buffer.from(`${atMicros}|${id}`).toString('base64url');
}

/** The position a cursor names, or INVALID_QUERY. */
export function parseCursor(raw: string): { at: string; id: string } {
  const [at, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (!id || Number.isNaN(Date.parse(at)))
    throw new AppError('INVALID_QUERY', 'after: not a cursor this server gave');
  return { at, id };
}

/**
 * Orders newest first, matching every filter given (a fan's own list is the search by their
 * account), a page of `limit` after the cursor: keyset paging, so a page costs the same at
 * any depth.
 */
export async function searchOrders(
  db: Db,
  q: OrderSearch & { fanId?: string; after?: string },
  limit: number,
): Promise<{ orders: OrderView[]; next: string | null }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (q.fanId) where.push(`o.fan_id = ${arg(q.fanId)}`);
  if (q.email) where.push(`o.email = ${arg(q.email.trim().toLowerCase())}`);
  if (q.orderId) where.push(`o.id = ${arg(q.orderId)}`);
  if (q.eventId) where.push(`o.event_id = ${arg(q.eventId)}`);
  if (q.seat)
    where.push(`EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id AND t.item = ${arg(q.seat)})`);
  if (q.ticketId)
    where.push(`EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id AND t.id = ${arg(q.ticketId)})`);
  if (q.after) {
    const c = parseCursor(q.after);
    where.push(`(o.created_at, o.id) < (${arg(c.at)}::timestamptz, ${arg(c.id)})`);
  }
  const { rows } = await db.query<OrderRow & { at_us: string }>(
    `SELECT ${ORDER_COLUMNS.split(', ')
      .map((c) => `o.${c}`)
      .join(', ')}, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_us
       FROM orders o ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY o.created_at DESC, o.id DESC LIMIT ${arg(limit)}`,
    args,
  );
  const last = rows[rows.length - 1];
  return {
    orders: await views(db, rows),
    next: rows.length === limit ? cursorOf(last.at_us, last.id) : null,
  };
}
