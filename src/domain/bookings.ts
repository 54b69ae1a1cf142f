import type { Command } from './commands.ts';
import { reject, rejectWith } from './errors.ts';
import type { EventOf } from './events.ts';
import { liveHold, ownHold } from './holds.ts';
import type { Changes, Decision, Rejection } from './outcome.ts';
import { BOOKED, RESALE } from './seat-status.ts';
import { checkSeats } from './seats.ts';
import { areaAvailable, type EventState, freeStatus, internFan, type Order, setStatus } from './state.ts';

// Bookings: a hold becoming an order's tickets, cancellations, and transfers between fans.

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;

function orderSize(o: Order): number {
  let n = o.seats.length;
  for (const p of o.places) n += p ?? 0;
  return n;
}

export function decideBook(state: EventState, cmd: Cmd<'book'>, now: number): Decision {
  const h = ownHold(state, cmd.holdId, cmd.fanId);
  if ('ok' in h) return h;
  if (h.expiresAt <= now) return reject('HOLD_EXPIRED', 'the hold expired before it was booked');
  const orderNo = state.orderIndex.get(cmd.orderId);
  const existing = orderNo === undefined ? undefined : state.orders[orderNo];
  if (existing && existing.fan !== h.fan) return reject('NOT_OWNER', 'the order belongs to another fan');
  const size = existing ? orderSize(existing) : 0;
  if (size + h.seats.length + h.places > state.config.maxPerOrder) {
    return reject('LIMIT_PER_ORDER', `at most ${state.config.maxPerOrder} tickets per order`);
  }
  return {
    type: 'SeatsBooked',
    orderId: cmd.orderId,
    holdId: h.id,
    fanId: cmd.fanId,
    seats: h.seats.slice(),
    area: h.area,
    places: h.places,
  };
}

/** Finds the order and the seats of it a command names (all of them when none are named). */
function orderSeats(
  state: EventState,
  orderId: string,
  named: number[] | undefined,
): { order: Order; seats: number[] } | Rejection {
  const orderNo = state.orderIndex.get(orderId);
  if (orderNo === undefined) return reject('ORDER_NOT_FOUND', `no order "${orderId.slice(0, 64)}"`);
  const order = state.orders[orderNo];
  if (!named) return { order, seats: order.seats.slice() };
  const bad = checkSeats(state, named);
  if (bad) return rejectWith(bad);
  for (const s of named) {
    if (state.order[s] !== orderNo + 1)
      return reject('SEAT_NOT_IN_ORDER', `seat ${s} is not booked in this order`);
  }
  return { order, seats: named };
}

export function decideCancel(state: EventState, cmd: Cmd<'cancelBooking'>): Decision {
  const found = orderSeats(state, cmd.orderId, cmd.seats);
  if ('ok' in found) return found;
  const { order, seats } = found;
  // Naming seats cancels just those; naming none cancels the whole order, places included.
  const places: number[] = [];
  if (cmd.seats === undefined) {
    order.places.forEach((p, area) => {
      if (p) places.push(area, p);
    });
  }
  if (seats.length === 0 && places.length === 0) {
    return reject('ORDER_NOT_FOUND', 'the order has nothing left to cancel');
  }
  return { type: 'BookingCancelled', orderId: order.id, fanId: state.fanIds[order.fan], seats, places };
}

export function decideTransfer(state: EventState, cmd: Cmd<'transfer'>): Decision {
  if (cmd.fromFanId === cmd.toFanId)
    return reject('INVALID_COMMAND', 'a ticket cannot be transferred to its owner');
  const found = orderSeats(state, cmd.orderId, cmd.seats);
  if ('ok' in found) return found;
  const from = state.fanIndex.get(cmd.fromFanId);
  const seats = cmd.seats
    ? found.seats
    : found.seats.filter((s) => from !== undefined && state.holder[s] === from + 1);
  if (seats.length === 0) return reject('NOT_OWNER', 'the fan owns no seats of this order');
  for (const s of seats) {
    if (from === undefined || state.holder[s] !== from + 1) {
      return reject('NOT_OWNER', `seat ${s} belongs to another fan`);
    }
    // A listed seat goes only to its buyer; a seat bought on resale must still be listed
    // (withdrawn, or bought by another buyer first, it is not for sale).
    const listed = state.status[s] === RESALE;
    if (listed && !cmd.sale)
      return reject('SEAT_LISTED', `seat ${s} is listed for resale: withdraw it first`);
    if (!listed && cmd.sale) return reject('NOT_LISTED', `seat ${s} is not listed for resale`);
  }
  // The recipient's per-fan limit holds as it does for a hold: checked here, in the actor's
  // turn, two transfers to one fan cannot both squeeze past it.
  const to = state.fanIndex.get(cmd.toFanId);
  const owned = to === undefined ? 0 : state.fanTickets[to];
  if (owned + seats.length > state.config.maxPerFan) {
    return reject(
      'LIMIT_PER_FAN',
      `at most ${state.config.maxPerFan} tickets per fan; the recipient has ${owned}`,
    );
  }
  const e: EventOf<'SeatsTransferred'> = {
    type: 'SeatsTransferred',
    orderId: cmd.orderId,
    fromFanId: cmd.fromFanId,
    toFanId: cmd.toFanId,
    seats,
  };
  if (cmd.sale) e.sale = { listingId: cmd.sale.listingId, orderId: cmd.sale.orderId };
  return e;
}

// ---- evolve ------------------------------------------------------------------------------

function liveOrder(state: EventState, orderId: string): { order: Order; orderNo: number } {
  const orderNo = state.orderIndex.get(orderId);
  if (orderNo === undefined) throw new Error(`no order ${orderId} to apply the event to`);
  return { order: state.orders[orderNo], orderNo };
}

export function evolveSeatsBooked(state: EventState, e: EventOf<'SeatsBooked'>, changes: Changes): void {
  const h = liveHold(state, e.holdId);
  let orderNo = state.orderIndex.get(e.orderId);
  if (orderNo === undefined) {
    orderNo = state.orders.length;
    state.orders.push({ id: e.orderId, fan: internFan(state, e.fanId), seats: [], places: [] });
    state.orderIndex.set(e.orderId, orderNo);
  }
  const order = state.orders[orderNo];
  for (const s of h.seats) {
    setStatus(state, s, BOOKED, changes.deltas);
    state.order[s] = orderNo + 1;
    order.seats.push(s);
  }
  if (h.area >= 0) {
    state.areaHeld[h.area] -= h.places;
    state.areaBooked[h.area] += h.places;
    order.places[h.area] = (order.places[h.area] ?? 0) + h.places;
  }
  // Held tickets become owned ones: the fan's count is unchanged.
  state.holds.delete(h.id);
  state.expiry.remove(h);
}

export function evolveBookingCancelled(
  state: EventState,
  e: EventOf<'BookingCancelled'>,
  changes: Changes,
): void {
  const { order } = liveOrder(state, e.orderId);
  for (const s of e.seats) {
    state.fanTickets[state.holder[s] - 1]--;
    state.holder[s] = 0;
    state.order[s] = 0;
    setStatus(state, s, freeStatus(state, s), changes.deltas);
  }
  const gone = new Set(e.seats);
  order.seats = order.seats.filter((s) => !gone.has(s));
  for (let i = 0; i < e.places.length; i += 2) {
    const area = e.places[i];
    const p = e.places[i + 1];
    state.areaBooked[area] -= p;
    state.fanTickets[order.fan] -= p;
    order.places[area] = (order.places[area] ?? 0) - p;
    changes.areas.push(area, areaAvailable(state, area));
  }
  if (order.places.every((p) => !p)) order.places = [];
}

export function evolveSeatsTransferred(
  state: EventState,
  e: EventOf<'SeatsTransferred'>,
  changes: Changes,
): void {
  const from = state.fanIndex.get(e.fromFanId);
  if (from === undefined) throw new Error(`no fan ${e.fromFanId} to transfer from`);
  const to = internFan(state, e.toFanId);
  for (const s of e.seats) {
    state.holder[s] = to + 1;
    // A resale seat is booked again, now the buyer's; a booked one keeps its status, but
    // subscribers see the seat in this version's changes.
    if (state.status[s] === RESALE) setStatus(state, s, BOOKED, changes.deltas);
    else changes.deltas.push(s, BOOKED);
  }
  state.fanTickets[from] -= e.seats.length;
  state.fanTickets[to] += e.seats.length;
}
