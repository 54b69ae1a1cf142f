import type { Command } from './commands.ts';
import { reject, rejectWith } from './errors.ts';
import { ownHold } from './holds.ts';
import { accepted, type Outcome } from './outcome.ts';
import { AVAILABLE, BOOKED } from './seat-status.ts';
import { checkSeats } from './seats.ts';
import { areaAvailable, type EventState, internFan, type Order, setStatus } from './state.ts';

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;

function orderSize(o: Order): number {
  let n = o.seats.length;
  for (const p of o.places) n += p ?? 0;
  return n;
}

export function book(state: EventState, cmd: Cmd<'book'>, now: number): Outcome {
  const h = ownHold(state, cmd.holdId, cmd.fanId);
  if ('ok' in h) return h;
  if (h.expiresAt <= now) return reject('HOLD_EXPIRED', 'the hold expired before it was booked');
  let orderNo = state.orderIndex.get(cmd.orderId);
  const existing = orderNo === undefined ? undefined : state.orders[orderNo];
  if (existing && existing.fan !== h.fan) return reject('NOT_OWNER', 'the order belongs to another fan');
  const size = existing ? orderSize(existing) : 0;
  if (size + h.seats.length + h.places > state.config.maxPerOrder) {
    return reject('LIMIT_PER_ORDER', `at most ${state.config.maxPerOrder} tickets per order`);
  }
  let order = existing;
  if (!order || orderNo === undefined) {
    orderNo = state.orders.length;
    order = { id: cmd.orderId, fan: h.fan, seats: [], places: [] };
    state.orders.push(order);
    state.orderIndex.set(cmd.orderId, orderNo);
  }
  const deltas: number[] = [];
  for (const s of h.seats) {
    setStatus(state, s, BOOKED, deltas);
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
  return accepted({ orderId: order.id, seats: h.seats.slice(), places: h.places }, deltas);
}

/** Finds the order and the seats of it a command names (all of them when none are named). */
function orderSeats(
  state: EventState,
  orderId: string,
  named: number[] | undefined,
): { order: Order; orderNo: number; seats: number[] } | Outcome {
  const orderNo = state.orderIndex.get(orderId);
  if (orderNo === undefined) return reject('ORDER_NOT_FOUND', `no order "${orderId.slice(0, 64)}"`);
  const order = state.orders[orderNo];
  if (!named) return { order, orderNo, seats: order.seats.slice() };
  const bad = checkSeats(state, named);
  if (bad) return rejectWith(bad);
  for (const s of named) {
    if (state.order[s] !== orderNo + 1)
      return reject('SEAT_NOT_IN_ORDER', `seat ${s} is not booked in this order`);
  }
  return { order, orderNo, seats: named };
}

export function cancelBooking(state: EventState, cmd: Cmd<'cancelBooking'>): Outcome {
  const found = orderSeats(state, cmd.orderId, cmd.seats);
  if ('ok' in found) return found;
  const { order, seats } = found;
  const cancelPlaces = cmd.seats === undefined;
  if (seats.length === 0 && (!cancelPlaces || orderSize(order) === 0)) {
    return reject('ORDER_NOT_FOUND', 'the order has nothing left to cancel');
  }
  const deltas: number[] = [];
  const areas: number[] = [];
  for (const s of seats) {
    state.fanTickets[state.holder[s] - 1]--;
    setStatus(state, s, AVAILABLE, deltas);
    state.holder[s] = 0;
    state.order[s] = 0;
  }
  const gone = new Set(seats);
  order.seats = order.seats.filter((s) => !gone.has(s));
  let places = 0;
  if (cancelPlaces) {
    order.places.forEach((p, area) => {
      if (!p) return;
      state.areaBooked[area] -= p;
      state.fanTickets[order.fan] -= p;
      places += p;
      areas.push(area, areaAvailable(state, area));
    });
    order.places = [];
  }
  return accepted({ orderId: order.id, seats, places }, deltas, areas);
}

export function transfer(state: EventState, cmd: Cmd<'transfer'>): Outcome {
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
  }
  const to = internFan(state, cmd.toFanId);
  const deltas: number[] = [];
  for (const s of seats) {
    state.holder[s] = to + 1;
    deltas.push(s, BOOKED);
  }
  state.fanTickets[from!] -= seats.length;
  state.fanTickets[to] += seats.length;
  return accepted({ orderId: cmd.orderId, seats, toFanId: cmd.toFanId }, deltas);
}
