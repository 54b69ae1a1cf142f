import type { Envelope } from '../actors/event-port.ts';
import type { Command } from '../domain/commands.ts';
import type { OrdersContext } from './context.ts';
import type { OrderRow } from './store.ts';

// A paid order's seats become booked in the event's actor. The order turns paid, and its
// tickets appear, only from the SeatsBooked events on the commit stream (projection.ts), so
// the order table never claims a seat the seat map does not give it.
//
// Each booking carries an idempotency key derived from the order, so settling again (a
// webhook retried, the reconciler after a crash) answers from the journal and books nothing
// twice. Holds that lapsed before the money came are taken again if their seats are still
// free (pretix's "accept late payment"); if any is gone, the order is refunded whole.

export type Settled = 'booked' | 'refund';

const BY = 'orders';

export async function settle(ctx: OrdersContext, order: OrderRow): Promise<Settled> {
  const ev = await ctx.events.need(order.event_id);
  const fanId = order.fan_id;
  const book = (holdId: string): Envelope => ({
    command: { type: 'book', holdId, fanId, orderId: order.id },
    key: `book:${order.id}:${holdId}`,
    by: BY,
  });
  const outcomes = await ev.handle.submit(order.hold_ids.map(book));
  const lapsed = order.hold_ids.filter((_, i) => {
    const o = outcomes[i];
    return !o.ok && (o.error.code === 'HOLD_NOT_FOUND' || o.error.code === 'HOLD_EXPIRED');
  });
  const failed = outcomes.find((o, i) => !o.ok && !lapsed.includes(order.hold_ids[i]));
  if (failed && !failed.ok)
    throw new Error(`booking order ${order.id}: ${failed.error.code} ${failed.error.message}`);
  if (lapsed.length === 0) return 'booked';

  // Late payment: hold the lapsed holds' seats again, under new holds, and book those.
  const again: Envelope[] = [];
  const lateHolds: string[] = [];
  lapsed.forEach((holdId, n) => {
    const seats: number[] = [];
    let area = -1;
    let places = 0;
    for (const it of order.quote.items) {
      if (it.hold !== holdId) continue;
      if ('seat' in it) seats.push(it.seat);
      else {
        area = it.area;
        places += it.places;
      }
    }
    // Derived from the order: settling twice takes (and answers from) the same holds.
    const lateId = `${order.event_id}~late-${order.id}-${n}`;
    const command: Command =
      area >= 0
        ? { type: 'holdGa', holdId: lateId, fanId, area: ev.layout.areas[area].id, count: places }
        : { type: 'hold', holdId: lateId, fanId, seats };
    again.push({ command, key: `late:${order.id}:${n}`, by: BY });
    lateHolds.push(lateId);
  });
  const held = await ev.handle.submit(again);
  if (held.every((o) => o.ok)) {
    const booked = await ev.handle.submit(lateHolds.map(book));
    if (booked.every((o) => o.ok)) return 'booked';
  }
  // Some seat is gone: give back whatever was taken for the order, then refund it.
  const undo: Envelope[] = [];
  held.forEach((o, i) => {
    if (o.ok)
      undo.push({
        command: { type: 'release', holdId: lateHolds[i], fanId },
        key: `late-release:${order.id}:${i}`,
        by: BY,
      });
  });
  undo.push({
    command: { type: 'cancelBooking', orderId: order.id },
    key: `late-cancel:${order.id}`,
    by: BY,
  });
  await ev.handle.submit(undo);
  ctx.log.info({ orderId: order.id, eventId: order.event_id }, 'late payment: the seats are gone; refunding');
  return 'refund';
}
