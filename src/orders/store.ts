import type { Db } from '../persistence/db.ts';
import type { OrderStatus } from './order-state.ts';
import type { Quote } from './pricing.ts';

// Orders as stored, and as fans and operators see them. Amounts are minor units.

export type Channel = 'online' | 'box_office';
export type Method = 'card' | 'cash' | 'card_present' | 'comp' | 'free';

export interface OrderRow {
  id: string;
  event_id: string;
  fan_id: string;
  email: string;
  name: string | null;
  status: OrderStatus;
  channel: Channel;
  method: Method;
  currency: string;
  quote: StoredQuote;
  total: number;
  refunded: number;
  code: string | null;
  hold_ids: string[];
  payment_id: string | null;
  payment_secret: string | null;
  payment_status: string | null;
  payment_error: string | null;
  idempotency_key: string | null;
  request_digest: string | null;
  created_at: Date;
  expires_at: Date;
  paid_at: Date | null;
}

/** The quote plus where each line's seats are, so tickets and late re-holds can be made. */
export interface StoredQuote extends Quote {
  /** Per line: seat numbers (seated) or the area number and places (standing). */
  items: (
    | { hold: string; seat: number }
    | { hold: string; area: number; places: number }
    /** A resale listing's seat, bought from its holder (`from`, who booked it in order `fromOrder`). */
    | { listing: string; seat: number; from: string; fromOrder: string }
  )[];
}

export interface TicketRow {
  id: string;
  item: string;
  place: number;
  label: string;
  category: string;
  price: number;
  status: 'valid' | 'refunded' | 'cancelled';
}

export interface OrderView {
  id: string;
  eventId: string;
  status: OrderStatus;
  channel: Channel;
  method: Method;
  email: string;
  name: string | null;
  currency: string;
  lines: { item: string; label: string; category: string; price: number; quantity: number; fee: number }[];
  subtotal: number;
  discount: number;
  fees: number;
  tax: number;
  total: number;
  refunded: number;
  code: string | null;
  holdIds: string[];
  payment: { id: string | null; status: string | null; error: string | null };
  tickets: TicketRow[];
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
}

export const ORDER_COLUMNS =
  'id, event_id, fan_id, email, name, status, channel, method, currency, quote, total, refunded, code, hold_ids, payment_id, payment_secret, payment_status, payment_error, idempotency_key, request_digest, created_at, expires_at, paid_at';

const iso = (d: Date | string) => new Date(d).toISOString();

export function orderView(r: OrderRow, tickets: TicketRow[]): OrderView {
  const q = r.quote;
  return {
    id: r.id,
    eventId: r.event_id,
    status: r.status,
    channel: r.channel,
    method: r.method,
    email: r.email,
    name: r.name,
    currency: r.currency,
    lines: q.lines.map((l) => ({
      item: l.item,
      label: l.label,
      category: l.category,
      price: l.price,
      quantity: l.quantity,
      fee: l.fee,
    })),
    subtotal: q.subtotal,
    discount: q.discount,
    fees: q.ticketFees + q.orderFee,
    tax: q.tax,
    total: r.total,
    refunded: r.refunded,
    code: r.code,
    holdIds: r.hold_ids,
    payment: { id: r.payment_id, status: r.payment_status, error: r.payment_error },
    tickets,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    paidAt: r.paid_at ? iso(r.paid_at) : null,
  };
}

/** An order and its tickets in one read (a fan's page polls this while paying). */
export async function findOrderView(db: Db, id: string): Promise<{ row: OrderRow; view: OrderView } | null> {
  const { rows } = await db.query<OrderRow & { tickets: TicketRow[] }>(
    `SELECT ${ORDER_COLUMNS}, coalesce((
        SELECT json_agg(json_build_object('id', t.id, 'item', t.item, 'place', t.place, 'label', t.label,
                 'category', t.category, 'price', t.price, 'status', t.status) ORDER BY t.item, t.place)
          FROM tickets t WHERE t.order_id = orders.id), '[]') AS tickets
       FROM orders WHERE id = $1`,
    [id],
  );
  const r = rows[0];
  return r ? { row: r, view: orderView(r, r.tickets) } : null;
}

export async function findOrder(db: Db, id: string, lock = false): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function ticketsOf(db: Db, orderIds: string[]): Promise<Map<string, TicketRow[]>> {
  const out = new Map<string, TicketRow[]>();
  if (orderIds.length === 0) return out;
  const { rows } = await db.query<TicketRow & { order_id: string }>(
    `SELECT order_id, id, item, place, label, category, price, status FROM tickets
      WHERE order_id = ANY($1::text[]) ORDER BY order_id, item, place`,
    [orderIds],
  );
  for (const { order_id, ...t } of rows) {
    const list = out.get(order_id);
    if (list) list.push(t);
    else out.set(order_id, [t]);
  }
  return out;
}

/** Orders with their tickets, in the order given. */
export async function views(db: Db, rows: OrderRow[]): Promise<OrderView[]> {
  const tickets = await ticketsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => orderView(r, tickets.get(r.id) ?? []));
}
