import type { Envelope, EventPort } from '../actors/event-port.ts';
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

type ListingItem = Extract<OrderRow['quote']['items'][number], { listing: string }>;

/** Refusals that mean the listing is not the buyer's to have: the money goes back. */
const GONE = new Set(['NOT_LISTED', 'NOT_OWNER', 'ORDER_NOT_FOUND', 'SEAT_NOT_IN_ORDER', 'LIMIT_PER_FAN']);

/**
 * A paid resale order: the order claims its listing (still its own: not sold to, nor
 * reserved by, another buyer since), then the seat moves from the seller to the buyer in the
 * actor, which takes it only while it is listed, so a listing is never sold twice. Keyed by
 * listing and order: settling again answers from the journal.
 */
async function settleResale(
  ctx: OrdersContext,
  handle: EventPort,
  order: OrderRow,
  it: ListingItem,
): Promise<Settled> {
  if (!ctx.resale || !(await ctx.resale.claim(it.listing, order.id))) return 'refund';
  const [outcome] = await handle.submit([
    {
      command: {
        type: 'transfer',
        orderId: it.fromOrder,
        fromFanId: it.from,
        toFanId: order.fan_id,
        seats: [it.seat],
        sale: { listingId: it.listing, orderId: order.id },
      },
      key: `resale:${it.listing}:${order.id}`,
      by: BY,
    },
  ]);
  if (outcome.ok) return 'booked';
  if (GONE.has(outcome.error.code)) {
    ctx.log.info({ orderId: order.id, listing: it.listing, why: outcome.error.code }, 'resale: refunding');
    return 'refund';
  }
  throw new Error(`resale order ${order.id}: ${outcome.error.code} ${outcome.error.message}`);
}

const BY = 'orders';

export async function settle(ctx: OrdersContext, order: OrderRow): Promise<Settled> {
  const ev = await ctx.events.need(order.event_id);
  const listing = order.quote.items.find((it) => 'listing' in it);
  if (listing && 'listing' in listing) return settleResale(ctx, ev.handle, order, listing);
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
      if (!('hold' in it) || it.hold !== holdId) continue;
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
