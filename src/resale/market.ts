import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { CommitStream } from '../actors/commit-stream.ts';
import { AppError } from '../errors.ts';
import type { ResaleDesk, ResaleLine } from '../orders/ports.ts';
import type { StoredQuote } from '../orders/store.ts';
import type { Db } from '../persistence/db.ts';
import { ensureCredentials } from '../tickets/credentials.ts';
import { ticketNotFound, ticketNotValid } from '../tickets/errors.ts';
import type { User } from '../user.ts';
import { capOf, DEFAULT_CAP_BP, faceValue } from './cap.ts';
import {
  aboveCap,
  listingExists,
  listingNotFound,
  listingUnavailable,
  placesNotListable,
  resaleClosed,
} from './errors.ts';
import {
  closeListing,
  findListing,
  type ListingRow,
  type ListingView,
  listingView,
  recordListing,
} from './listings.ts';
import type { ResaleEvents } from './ports.ts';
import { ResaleProjection } from './projection.ts';

// The resale market: a ticket holder offers a seat at no more than the event's cap; the seat
// shows `resale` on the live map; a buyer checks out through the orders' checkout (this is
// its ResaleDesk), and on payment the seat moves to the buyer in the actor, which takes only
// a listed seat, so a listing is sold once. Listings close when withdrawn, sold, refunded,
// or when the event starts.

export interface ResalePolicy {
  eventId: string;
  /** Basis points of a ticket's face value (10000: face value). */
  capBp: number;
  enabled: boolean;
}

export interface ListingOffer extends ListingView {
  /** The most this ticket may be offered for. */
  cap: number;
}

interface TicketRow {
  id: string;
  event_id: string;
  item: string;
  place: number;
  status: string;
  owner_id: string;
  quote: StoredQuote;
  starts_at: Date | null;
}

const BY = 'resale';
const SWEEP_MS = 30_000;
const LIST_MAX = 200;

export class ResaleMarket implements ResaleDesk {
  readonly projection: ResaleProjection;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly events: ResaleEvents,
    private readonly log: Logger,
  ) {
    this.projection = new ResaleProjection(db, events);
  }

  start(stream: CommitStream): void {
    stream.follow(this.projection);
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  async policy(eventId: string): Promise<ResalePolicy> {
    const { rows } = await this.db.query<{ cap_bp: number; enabled: boolean }>(
      'SELECT cap_bp, enabled FROM resale_policies WHERE event_id = $1',
      [eventId],
    );
    return { eventId, capBp: rows[0]?.cap_bp ?? DEFAULT_CAP_BP, enabled: rows[0]?.enabled ?? true };
  }

  async setPolicy(eventId: string, p: { capBp: number; enabled: boolean }): Promise<ResalePolicy> {
    await this.events.need(eventId);
    await this.db.query(
      `INSERT INTO resale_policies (event_id, cap_bp, enabled) VALUES ($1, $2, $3)
       ON CONFLICT (event_id) DO UPDATE SET cap_bp = $2, enabled = $3, updated_at = now()`,
      [eventId, p.capBp, p.enabled],
    );
    return this.policy(eventId);
  }

  private async ticket(ticketId: string): Promise<TicketRow | null> {
    const { rows } = await this.db.query<TicketRow>(
      `SELECT t.id, t.event_id, t.item, t.place, t.status, coalesce(c.owner_id, o.fan_id) AS owner_id,
              o.quote, e.starts_at
         FROM tickets t JOIN orders o ON o.id = t.order_id
         LEFT JOIN ticket_credentials c ON c.ticket_id = t.id
         LEFT JOIN events e ON e.id = t.event_id
        WHERE t.id = $1`,
      [ticketId],
    );
    return rows[0] ?? null;
  }

  /** The most the holder may ask for the ticket (its face value times the event's cap). */
  async capFor(ticketId: string, user: User): Promise<{ cap: number; face: number; policy: ResalePolicy }> {
    const t = await this.ticket(ticketId);
    if (!t || t.owner_id !== user.id) throw ticketNotFound(ticketId);
    const policy = await this.policy(t.event_id);
    const face = faceValue(t.quote, t.item);
    return { cap: capOf(face, policy.capBp), face, policy };
  }

  /** Offers the holder's ticket at `price`. */
  async list(ticketId: string, user: User, price: number): Promise<ListingOffer> {
    const t = await this.ticket(ticketId);
    if (!t || t.owner_id !== user.id) throw ticketNotFound(ticketId);
    if (t.status !== 'valid') throw ticketNotValid(ticketId, t.status);
    if (t.place > 0) throw placesNotListable();
    if (t.starts_at && new Date(t.starts_at).getTime() <= Date.now())
      throw resaleClosed('the event has started: its tickets can no longer be resold');
    const policy = await this.policy(t.event_id);
    if (!policy.enabled) throw resaleClosed('the organiser does not allow resale for this event');
    const cap = capOf(faceValue(t.quote, t.item), policy.capBp);
    const currency = t.quote.currency;
    if (price > cap) throw aboveCap(price, cap, currency);
    const ev = await this.events.need(t.event_id);
    const seat = ev.layout.seatIndex.get(t.item);
    if (seat === undefined) throw new Error(`ticket ${ticketId}: seat ${t.item} is not in the event's chart`);
    // The credential must exist before a sale can reissue it to the buyer.
    await ensureCredentials(this.db, t.event_id, [ticketId]);
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM resale_listings WHERE ticket_id = $1',
      [ticketId],
    );
    // Keyed by the ticket's listing count: a retry (or a double click) answers with the same
    // listing; listing again after a withdrawal is a new one.
    const [outcome] = await ev.handle.submit([
      {
        command: { type: 'listResale', listingId: `lst_${nanoid(16)}`, fanId: user.id, seats: [seat], price },
        key: `resale-list:${ticketId}:${rows[0].n}`,
        by: BY,
      },
    ]);
    if (!outcome.ok) {
      if (outcome.error.code === 'SEAT_LISTED') throw listingExists();
      throw new AppError(outcome.error.code, outcome.error.message);
    }
    const id = outcome.value.listingId as string;
    await recordListing(this.db, { id, eventId: t.event_id, seat, item: t.item, sellerId: user.id, price });
    const row = await findListing(this.db, id);
    if (!row) throw new Error(`listing ${id} was not recorded`);
    return { ...listingView(row), cap };
  }

  /** The seller (or an operator, `any`) takes the listing back. */
  async withdraw(listingId: string, user: User, any: boolean): Promise<ListingView> {
    const l = await findListing(this.db, listingId);
    if (!l || (l.seller_id !== user.id && !any)) throw listingNotFound(listingId);
    if (l.status === 'withdrawn') return listingView(l);
    if (l.status === 'sold') throw listingUnavailable('the listing was sold');
    await this.withdrawOnMap(l);
    return listingView((await findListing(this.db, listingId))!);
  }

  private async withdrawOnMap(l: ListingRow): Promise<void> {
    const ev = await this.events.need(l.event_id);
    const [outcome] = await ev.handle.submit([
      {
        command: { type: 'withdrawResale', listingId: l.id, fanId: l.seller_id, seats: [l.seat] },
        key: `resale-withdraw:${l.id}`,
        by: BY,
      },
    ]);
    // NOT_LISTED: bought meanwhile (the projection closes it as sold) — or gone with a refund.
    if (!outcome.ok) {
      if (outcome.error.code === 'NOT_LISTED') throw listingUnavailable('the listing was sold or closed');
      throw new AppError(outcome.error.code, outcome.error.message);
    }
    await closeListing(this.db, l.id);
  }

  /** An event's listings on offer, cheapest first. */
  async onOffer(eventId: string): Promise<ListingView[]> {
    const { rows } = await this.db.query<ListingRow>(
      `SELECT * FROM resale_listings WHERE event_id = $1 AND status = 'listed'
        ORDER BY price, created_at LIMIT ${LIST_MAX}`,
      [eventId],
    );
    return rows.map((r) => listingView(r));
  }

  /** The seller's listings, newest first, with what each sold for. */
  async mine(user: User): Promise<ListingView[]> {
    const { rows } = await this.db.query<ListingRow>(
      `SELECT * FROM resale_listings WHERE seller_id = $1 ORDER BY created_at DESC LIMIT ${LIST_MAX}`,
      [user.id],
    );
    return rows.map((r) => listingView(r));
  }

  async payouts(user: User): Promise<
    {
      listingId: string;
      orderId: string;
      amount: number;
      currency: string;
      status: string;
      createdAt: string;
    }[]
  > {
    const { rows } = await this.db.query<{
      listing_id: string;
      order_id: string;
      amount: number;
      currency: string;
      status: string;
      created_at: Date;
    }>('SELECT * FROM resale_payouts WHERE seller_id = $1 ORDER BY created_at DESC LIMIT 200', [user.id]);
    return rows.map((r) => ({
      listingId: r.listing_id,
      orderId: r.order_id,
      amount: r.amount,
      currency: r.currency,
      status: r.status,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  // ---- the checkout's desk ------------------------------------------------------------

  async offer(listingId: string, buyerId: string): Promise<ResaleLine> {
    const l = await findListing(this.db, listingId);
    if (!l) throw listingNotFound(listingId);
    if (l.status !== 'listed') throw listingUnavailable(`the listing was ${l.status}`);
    if (l.seller_id === buyerId) throw listingUnavailable('this is your own listing');
    if (l.reserved_until && new Date(l.reserved_until).getTime() > Date.now())
      throw listingUnavailable('another buyer is paying for this listing');
    const { rows } = await this.db.query<{ starts_at: Date | null }>(
      'SELECT starts_at FROM events WHERE id = $1',
      [l.event_id],
    );
    const starts = rows[0]?.starts_at;
    if (starts && new Date(starts).getTime() <= Date.now()) throw resaleClosed('the event has started');
    return {
      listingId: l.id,
      eventId: l.event_id,
      seat: l.seat,
      item: l.item,
      label: l.label,
      category: l.category,
      price: l.price,
      currency: l.currency,
      sellerId: l.seller_id,
      sellerOrderId: l.seller_order_id,
    };
  }

  async reserve(tx: Db, listingId: string, orderId: string, until: Date): Promise<void> {
    const { rows } = await tx.query(
      `UPDATE resale_listings SET order_id = $2, reserved_until = $3
        WHERE id = $1 AND status = 'listed' AND (reserved_until IS NULL OR reserved_until <= now())
        RETURNING id`,
      [listingId, orderId, until],
    );
    if (rows.length === 0) throw listingUnavailable('another buyer got this listing first');
  }

  async claim(listingId: string, orderId: string): Promise<boolean> {
    // Still this order's (or free again, its reservation lapsed and nobody took it): kept for
    // it a minute more while the actor moves the seat; sold to it already answers yes.
    const { rows } = await this.db.query(
      `UPDATE resale_listings SET order_id = $2,
              reserved_until = CASE WHEN status = 'listed' THEN now() + interval '1 minute' ELSE reserved_until END
        WHERE id = $1 AND (
          (status = 'listed' AND (order_id = $2 OR reserved_until IS NULL OR reserved_until <= now()))
          OR (status = 'sold' AND order_id = $2))
        RETURNING id`,
      [listingId, orderId],
    );
    return rows.length > 0;
  }

  // ---- closing at the event's start ---------------------------------------------------

  /** Withdraws the listings of events that have started. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((error) =>
        this.log.error({ err: error }, 'resale: closing started events failed; trying again later'),
      )
      .finally(() => {
        this.sweeping = null;
      });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const { rows } = await this.db.query<ListingRow>(
      `SELECT l.* FROM resale_listings l JOIN events e ON e.id = l.event_id
        WHERE l.status = 'listed' AND e.starts_at <= now() ORDER BY l.created_at LIMIT 500`,
    );
    for (const l of rows) {
      try {
        await this.withdrawOnMap(l);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        this.log.warn({ listing: l.id, err: e }, 'resale: a started event’s listing could not be withdrawn');
      }
    }
  }
}
