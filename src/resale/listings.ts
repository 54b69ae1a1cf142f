import type { Db } from '../persistence/db.ts';

// The listings' rows: written by the market as it acts and by the projection from the
// journal, with the same statements, so either may come first and neither twice.

export type ListingStatus = 'listed' | 'sold' | 'withdrawn';

export interface ListingRow {
  id: string;
  event_id: string;
  ticket_id: string;
  seat: number;
  item: string;
  label: string;
  category: string;
  seller_id: string;
  seller_order_id: string;
  price: number;
  currency: string;
  status: ListingStatus;
  order_id: string | null;
  reserved_until: Date | null;
  created_at: Date;
  closed_at: Date | null;
}

export interface ListingView {
  id: string;
  eventId: string;
  ticketId: string;
  /** The seat's public id and its label ("Section 101, Row C, Seat 12"). */
  item: string;
  label: string;
  category: string;
  price: number;
  currency: string;
  status: ListingStatus;
  /** A buyer is paying for it until then (null: free to buy). */
  reservedUntil: string | null;
  createdAt: string;
}

export function listingView(r: ListingRow, now = Date.now()): ListingView {
  const reserved = r.status === 'listed' && r.reserved_until && new Date(r.reserved_until).getTime() > now;
  return {
    id: r.id,
    eventId: r.event_id,
    ticketId: r.ticket_id,
    item: r.item,
    label: r.label,
    category: r.category,
    price: r.price,
    currency: r.currency,
    status: r.status,
    reservedUntil: reserved ? new Date(r.reserved_until!).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export interface NewListing {
  id: string;
  eventId: string;
  seat: number;
  item: string;
  sellerId: string;
  price: number;
}

/**
 * The listing, from the seller's valid ticket of the seat; nothing when it exists already.
 * The ticket's other facts (label, category, order, currency) are read here, not carried.
 * The route and the journal's subscriber both record it and may race: with no conflict
 * target, the loser's clash on the open-ticket index is skipped too (with `(id)` alone,
 * Postgres raised it as a unique violation, a 500 for the seller about one time in four).
 */
export async function recordListing(db: Db, l: NewListing): Promise<void> {
  await db.query(
    `INSERT INTO resale_listings (id, event_id, ticket_id, seat, item, label, category, seller_id,
       seller_order_id, price, currency, status)
     SELECT $1, t.event_id, t.id, $3, t.item, t.label, t.category, $4, t.order_id, $5, o.currency, 'listed'
       FROM tickets t JOIN orders o ON o.id = t.order_id
      WHERE t.event_id = $2 AND t.item = $6 AND t.place = 0 AND t.status = 'valid'
      LIMIT 1
     ON CONFLICT DO NOTHING`,
    [l.id, l.eventId, l.seat, l.sellerId, l.price, l.item],
  );
}

/** Closes a listing still open (withdrawn) — a no-op for one closed already. */
export async function closeListing(db: Db, listingId: string): Promise<void> {
  await db.query(
    `UPDATE resale_listings SET status = 'withdrawn', closed_at = now() WHERE id = $1 AND status = 'listed'`,
    [listingId],
  );
}

export async function findListing(db: Db, listingId: string, lock = false): Promise<ListingRow | null> {
  const { rows } = await db.query<ListingRow>(
    `SELECT * FROM resale_listings WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [listingId],
  );
  return rows[0] ?? null;
}
