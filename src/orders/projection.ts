import { nanoid } from 'nanoid';
import type { DurableSubscriber, EventBatch } from '../actors/commit-stream.ts';
import type { Db } from '../persistence/db.ts';
import { returnCode } from './codes.ts';
import type { OrdersContext } from './context.ts';
import { transition } from './order-state.ts';
import { findOrder } from './store.ts';

// The orders' view of the journal: a durable commit-stream subscriber. SeatsBooked writes the
// order's ticket rows and, once every ticket of the order is there, makes it paid; lapsed or
// released holds expire their unpaid orders; cancelled bookings void their tickets. Each
// batch is applied in one transaction with the subscriber's checkpoint, so after a crash a
// batch is applied exactly once, and the orders never disagree with the seat map.

export const SUBSCRIBER = 'orders';

export interface ProjectionHooks {
  /** An order became paid in this transaction (its confirmation mail goes in the same one). */
  paid(tx: Db, orderId: string): Promise<void>;
}

export class OrdersProjection implements DurableSubscriber {
  readonly name = SUBSCRIBER;

  constructor(
    private readonly ctx: OrdersContext,
    private readonly hooks: ProjectionHooks,
  ) {}

  async checkpoint(eventId: string): Promise<number> {
    const { rows } = await this.ctx.db.query<{ version: number }>(
      'SELECT version FROM stream_checkpoints WHERE subscriber = $1 AND event_id = $2',
      [SUBSCRIBER, eventId],
    );
    return rows[0]?.version ?? 0;
  }

  async apply(batch: EventBatch): Promise<void> {
    const booked = new Map<string, number>();
    await this.ctx.db.transaction(async (tx) => {
      for (const { event: e } of batch.entries) {
        if (e.type === 'SeatsBooked') {
          booked.set(e.orderId, (booked.get(e.orderId) ?? 0) + 1);
          await this.tickets(tx, batch.eventId, e.orderId, e.seats, e.area, e.places);
        } else if (e.type === 'HoldsExpired') {
          await this.lapse(
            tx,
            e.holds.map((h) => h.holdId),
          );
        } else if (e.type === 'HoldReleased') {
          await this.lapse(tx, [e.holdId]);
        } else if (e.type === 'BookingCancelled') {
          await this.voidTickets(tx, batch.eventId, e.orderId, e.seats, e.places.length > 0);
        }
      }
      for (const orderId of booked.keys()) await this.maybePaid(tx, orderId);
      await tx.query(
        `INSERT INTO stream_checkpoints (subscriber, event_id, version) VALUES ($1, $2, $3)
         ON CONFLICT (subscriber, event_id) DO UPDATE SET version = $3`,
        [SUBSCRIBER, batch.eventId, batch.toVersion],
      );
    });
  }

  /** Ticket rows for booked seats and places of an order (bookings of other origins are skipped). */
  private async tickets(
    tx: Db,
    eventId: string,
    orderId: string,
    seats: number[],
    area: number,
    places: number,
  ): Promise<void> {
    const order = await findOrder(tx, orderId);
    if (!order) return; // booked through the internal API (tests, benches): no order to project
    const ev = await this.ctx.events.need(eventId);
    const { layout } = ev;
    const byItem = new Map(order.quote.lines.map((l) => [l.item, l]));
    const ids: string[] = [];
    const items: string[] = [];
    const placeNos: number[] = [];
    for (const s of seats) {
      ids.push(`tkt_${nanoid(20)}`);
      items.push(layout.seatIds[s]);
      placeNos.push(0);
    }
    if (area >= 0 && places > 0) {
      const item = layout.areas[area].id;
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND item = $2',
        [orderId, item],
      );
      for (let p = 1; p <= places; p++) {
        ids.push(`tkt_${nanoid(20)}`);
        items.push(item);
        placeNos.push((rows[0]?.n ?? 0) + p);
      }
    }
    if (ids.length === 0) return;
    const labels = items.map((i) => byItem.get(i)?.label ?? i);
    const categories = items.map((i) => byItem.get(i)?.category ?? '');
    const prices = items.map((i) => byItem.get(i)?.price ?? 0);
    await tx.query(
      `INSERT INTO tickets (id, order_id, event_id, item, place, label, category, price)
       SELECT t.id, $2, $3, t.item, t.place, t.label, t.category, t.price
         FROM unnest($1::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[])
           AS t(id, item, place, label, category, price)
       ON CONFLICT (order_id, item, place) DO NOTHING`,
      [ids, orderId, eventId, items, placeNos, labels, categories, prices],
    );
  }

  /** Paid once every ticket of the order is booked. */
  private async maybePaid(tx: Db, orderId: string): Promise<void> {
    const order = await findOrder(tx, orderId, true);
    if (!order) return;
    const { rows } = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tickets WHERE order_id = $1',
      [orderId],
    );
    if ((rows[0]?.n ?? 0) < order.quote.tickets) return;
    const t = transition(order.status, { type: 'paid' });
    if (!t.ok || t.status === order.status) return;
    await tx.query(
      `UPDATE orders SET status = $2, paid_at = coalesce(paid_at, now()), updated_at = now() WHERE id = $1`,
      [orderId, t.status],
    );
    // An order that expired and then came back paid had given its code's use back.
    if (order.status === 'expired' && order.code) await takeBack(tx, order.event_id, order.code);
    await this.hooks.paid(tx, orderId);
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
    eventId: string,
    orderId: string,
    seats: number[],
    places: boolean,
  ): Promise<void> {
    const ev = await this.ctx.events.need(eventId);
    const items = seats.map((s) => ev.layout.seatIds[s]);
    await tx.query(
      `UPDATE tickets SET status = 'cancelled' WHERE order_id = $1 AND status = 'valid'
         AND (item = ANY($2::text[]) OR ($3 AND place > 0))`,
      [orderId, items, places],
    );
  }
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
