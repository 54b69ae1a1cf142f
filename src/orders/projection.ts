import { nanoid } from 'nanoid';
import type { DurableSubscriber, EventBatch } from '../actors/commit-stream.ts';
import { readCheckpoint, writeCheckpoint } from '../persistence/checkpoints.ts';
import type { Db } from '../persistence/db.ts';
import { returnCode } from './codes.ts';
import type { OrdersContext } from './context.ts';
import { transition } from './order-state.ts';
import type { OrderEvent } from './ports.ts';
import { ORDER_COLUMNS, type OrderRow } from './store.ts';

// The orders' view of the journal: a durable commit-stream subscriber. SeatsBooked writes the
// order's ticket rows and, once every ticket of the order is there, makes it paid; lapsed or
// released holds expire their unpaid orders; cancelled bookings void their tickets. Each
// batch is applied in one transaction with the subscriber's checkpoint, so after a crash a
// batch is applied exactly once, and the orders never disagree with the seat map.

export const SUBSCRIBER = 'orders';

export interface ProjectionHooks {
  /** An order became paid in this transaction (its confirmation mail goes in the same one). */
  paid(tx: Db, order: OrderRow, eventName: string): Promise<void>;
}

interface Booking {
  orderId: string;
  seats: number[];
  area: number;
  places: number;
}

/**
 * Batches with nothing for orders (holds, mostly) touch no table; the checkpoint still moves
 * every this many versions, so a restart does not read the whole journal again.
 */
const CHECKPOINT_EVERY = 5_000;

export class OrdersProjection implements DurableSubscriber {
  readonly name = SUBSCRIBER;
  /** The checkpoint last written per event, in this process. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly ctx: OrdersContext,
    private readonly hooks: ProjectionHooks,
  ) {}

  async checkpoint(eventId: string): Promise<number> {
    const v = await readCheckpoint(this.ctx.db, SUBSCRIBER, eventId);
    this.written.set(eventId, v);
    return v;
  }

  async apply(batch: EventBatch): Promise<void> {
    const booked: Booking[] = [];
    const lapsed: string[] = [];
    const cancelled: { orderId: string; seats: number[]; places: boolean }[] = [];
    /** Buyers' orders of resale listings, paid: the seat is theirs now. */
    const resold: string[] = [];
    for (const { event: e } of batch.entries) {
      if (e.type === 'SeatsBooked')
        booked.push({ orderId: e.orderId, seats: e.seats, area: e.area, places: e.places });
      else if (e.type === 'HoldsExpired') for (const h of e.holds) lapsed.push(h.holdId);
      else if (e.type === 'HoldReleased') lapsed.push(e.holdId);
      else if (e.type === 'BookingCancelled')
        cancelled.push({ orderId: e.orderId, seats: e.seats, places: e.places.length > 0 });
      else if (e.type === 'SeatsTransferred' && e.sale) resold.push(e.sale.orderId);
    }
    const { eventId } = batch;
    const idle = booked.length === 0 && lapsed.length === 0 && cancelled.length === 0 && resold.length === 0;
    if (idle && batch.toVersion - (this.written.get(eventId) ?? 0) < CHECKPOINT_EVERY) return;
    // The event before the transaction: on PGlite (one connection) a read outside the
    // transaction, such as an actor starting, would wait for it for ever.
    const ev = await this.ctx.events.need(eventId);
    await this.ctx.db.transaction(async (tx) => {
      if (booked.length > 0) await this.book(tx, ev, booked);
      if (lapsed.length > 0) await this.lapse(tx, lapsed);
      for (const c of cancelled) await this.voidTickets(tx, ev, c.orderId, c.seats, c.places);
      if (resold.length > 0) await this.markPaid(tx, ev, await lockOrders(tx, resold));
      await writeCheckpoint(tx, SUBSCRIBER, eventId, batch.toVersion);
    });
    this.written.set(eventId, batch.toVersion);
  }

  /**
   * Ticket rows for the booked seats and places (one statement for the whole batch), then the
   * orders whose every ticket is now there become paid. Bookings of no order (the internal
   * API of tests and benches) are passed over.
   */
  private async book(tx: Db, ev: OrderEvent, booked: Booking[]): Promise<void> {
    const eventId = ev.id;
    const ids = [...new Set(booked.map((b) => b.orderId))];
    const found = await lockOrders(tx, ids);
    if (found.length === 0) return;
    const orders = new Map(found.map((o) => [o.id, o]));
    const { layout } = ev;
    // Standing places are numbered on from those the order has already.
    const placesHad = new Map<string, number>();
    if (booked.some((b) => b.area >= 0 && orders.has(b.orderId))) {
      const { rows } = await tx.query<{ order_id: string; item: string; n: number }>(
        `SELECT order_id, item, max(place)::int AS n FROM tickets WHERE order_id = ANY($1::text[]) AND place > 0
          GROUP BY order_id, item`,
        [ids],
      );
      for (const r of rows) placesHad.set(`${r.order_id} ${r.item}`, r.n);
    }
    const t = { id: [] as string[], order: [] as string[], item: [] as string[], place: [] as number[] };
    const t2 = { label: [] as string[], category: [] as string[], price: [] as number[] };
    const add = (order: OrderRow, item: string, place: number) => {
      const line = order.quote.lines.find((l) => l.item === item);
      t.id.push(`tkt_${nanoid(20)}`);
      t.order.push(order.id);
      t.item.push(item);
      t.place.push(place);
      t2.label.push(line?.label ?? item);
      t2.category.push(line?.category ?? '');
      t2.price.push(line?.price ?? 0);
    };
    for (const b of booked) {
      const order = orders.get(b.orderId);
      if (!order) continue;
      for (const s of b.seats) add(order, layout.seatIds[s], 0);
      if (b.area >= 0 && b.places > 0) {
        const item = layout.areas[b.area].id;
        const key = `${order.id} ${item}`;
        const had = placesHad.get(key) ?? 0;
        for (let p = 1; p <= b.places; p++) add(order, item, had + p);
        placesHad.set(key, had + b.places);
      }
    }
    await tx.query(
      `INSERT INTO tickets (id, order_id, event_id, item, place, label, category, price)
       SELECT t.id, t.order_id, $3, t.item, t.place, t.label, t.category, t.price
         FROM unnest($1::text[], $2::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[])
           AS t(id, order_id, item, place, label, category, price)
       ON CONFLICT (order_id, item, place) DO NOTHING`,
      [t.id, t.order, eventId, t.item, t.place, t2.label, t2.category, t2.price],
    );
    const { rows: counts } = await tx.query<{ order_id: string; n: number }>(
      'SELECT order_id, count(*)::int AS n FROM tickets WHERE order_id = ANY($1::text[]) GROUP BY order_id',
      [found.map((o) => o.id)],
    );
    await this.markPaid(
      tx,
      ev,
      counts.map((c) => orders.get(c.order_id)!).filter((o, i) => counts[i].n >= o.quote.tickets),
    );
  }

  /** The orders become paid (those not paid already) and their confirmations are queued. */
  private async markPaid(tx: Db, ev: OrderEvent, orders: OrderRow[]): Promise<void> {
    const complete = orders.filter((o) => {
      const next = transition(o.status, { type: 'paid' });
      return next.ok && next.status !== o.status;
    });
    if (complete.length === 0) return;
    await tx.query(
      `UPDATE orders SET status = 'paid', paid_at = coalesce(paid_at, now()), updated_at = now()
        WHERE id = ANY($1::text[])`,
      [complete.map((o) => o.id)],
    );
    for (const o of complete) {
      // An order that expired and then came back paid had given its code's use back.
      if (o.status === 'expired' && o.code) await takeBack(tx, o.event_id, o.code);
      await this.hooks.paid(tx, { ...o, status: 'paid' }, ev.name);
    }
  }

  /** Unpaid orders whose holds lapsed or were released expire, and give their code's use back. */
  private async lapse(tx: Db, holdIds: string[]): Promise<void> {
    const { rows } = await tx.query<{ id: string; event_id: string; code: string | null }>(
      `UPDATE orders o SET status = 'expired', updated_at = now()
         FROM order_holds h
        WHERE h.hold_id = ANY($1::text[]) AND h.order_id = o.id AND o.status = 'pending_payment'
        RETURNING o.id, o.event_id, o.code`,
      [holdIds],
    );
    for (const r of rows) if (r.code) await returnCode(tx, r.event_id, r.code);
  }

  /** Cancelled seats' tickets (or all the order's standing places) stop being valid. */
  private async voidTickets(
    tx: Db,
    ev: OrderEvent,
    orderId: string,
    seats: number[],
    places: boolean,
  ): Promise<void> {
    const items = seats.map((s) => ev.layout.seatIds[s]);
    await tx.query(
      `UPDATE tickets SET status = 'cancelled' WHERE order_id = $1 AND status = 'valid'
         AND (item = ANY($2::text[]) OR ($3 AND place > 0))`,
      [orderId, items, places],
    );
  }
}

async function lockOrders(tx: Db, ids: string[]): Promise<OrderRow[]> {
  const { rows } = await tx.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ANY($1::text[]) FOR UPDATE`,
    [ids],
  );
  return rows;
}

/**
 * Takes a code's use again: the order was sold with it. At the limit (another order took the
 * use meanwhile) the count stays at the limit: the late order keeps its price either way.
 */
async function takeBack(tx: Db, eventId: string, code: string): Promise<void> {
  await tx.query(
    'UPDATE codes SET uses = least(uses + 1, coalesce(max_uses, uses + 1)) WHERE event_id = $1 AND code = $2',
    [eventId, code],
  );
}
