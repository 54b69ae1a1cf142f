import type { Command } from './commands.ts';
import { reject, rejectWith } from './errors.ts';
import type { EventOf } from './events.ts';
import type { Changes, Decision } from './outcome.ts';
import { AVAILABLE, BLOCKED, NOT_FOR_SALE, STATUS_NAMES } from './seat-status.ts';
import { checkSeats } from './seats.ts';
import { areaAvailable, type EventState, freeStatus, setStatus } from './state.ts';

// The box office's controls: blocking seats, taking them out of the inventory, prices and
// the sale switch.

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;
type SeatEvent = 'SeatsBlocked' | 'SeatsUnblocked' | 'SeatsWithdrawn' | 'SeatsReturned';

/** Accepts the seats only if every one passes `ok`; the event names them all. */
function seatsEvent(
  state: EventState,
  seats: number[],
  ok: (s: number) => boolean,
  type: SeatEvent,
  why: (s: number) => string,
): Decision {
  const bad = checkSeats(state, seats);
  if (bad) return rejectWith(bad);
  for (const s of seats) if (!ok(s)) return reject('SEAT_UNAVAILABLE', `seat ${s} ${why(s)}`);
  return { type, seats };
}

const statusOf = (state: EventState) => (s: number) => `is ${STATUS_NAMES[state.status[s]]}`;

export function decideBlock(state: EventState, cmd: Cmd<'block'>): Decision {
  return seatsEvent(state, cmd.seats, (s) => state.status[s] === AVAILABLE, 'SeatsBlocked', statusOf(state));
}

export function decideUnblock(state: EventState, cmd: Cmd<'unblock'>): Decision {
  return seatsEvent(state, cmd.seats, (s) => state.status[s] === BLOCKED, 'SeatsUnblocked', statusOf(state));
}

/**
 * Withdrawing takes available or blocked seats (or unpriced ones, ahead of their price)
 * out of the inventory; returning puts withdrawn ones back, for sale if they are priced.
 */
export function decideSetForSale(state: EventState, cmd: Cmd<'setForSale'>): Decision {
  if (cmd.forSale) {
    return seatsEvent(
      state,
      cmd.seats,
      (s) => state.withdrawn[s] === 1,
      'SeatsReturned',
      () => 'was not taken off sale',
    );
  }
  return seatsEvent(
    state,
    cmd.seats,
    (s) => {
      const st = state.status[s];
      return state.withdrawn[s] === 0 && (st === AVAILABLE || st === BLOCKED || st === NOT_FOR_SALE);
    },
    'SeatsWithdrawn',
    (s) => (state.withdrawn[s] === 1 ? 'is already off sale' : statusOf(state)(s)),
  );
}

export function decideSetSale(state: EventState, cmd: Cmd<'setSale'>): Decision {
  if (state.sale === cmd.status) return reject('INVALID_COMMAND', `the sale is already ${cmd.status}`);
  return { type: 'SaleChanged', sale: cmd.status };
}

export function decideSetPrices(state: EventState, cmd: Cmd<'setPrices'>): Decision {
  const { layout } = state;
  for (const cat of Object.keys(cmd.prices)) {
    if (!layout.categoryIndex.has(cat))
      return reject('UNKNOWN_CATEGORY', `the chart has no category "${cat.slice(0, 64)}"`);
  }
  let changed = false;
  for (let c = 0; c < layout.categories.length; c++) {
    if ((cmd.prices[layout.categories[c].id] ?? -1) !== state.prices[c]) changed = true;
  }
  // Unchanged prices still count when a seat shows the wrong status for them (a state from
  // a journal of schema 1 kept unpriced seats AVAILABLE): the event puts that right.
  if (!changed && !misfiled(state)) return reject('INVALID_COMMAND', 'the prices are unchanged');
  // A copy in chart order: the event's bytes do not depend on the caller's key order.
  const prices: Record<string, number> = {};
  for (const c of layout.categories) if (cmd.prices[c.id] !== undefined) prices[c.id] = cmd.prices[c.id];
  return { type: 'PricesChanged', prices };
}

/** True when some free seat's status disagrees with its price or withdrawal. */
function misfiled(state: EventState): boolean {
  const { status } = state;
  for (let s = 0; s < status.length; s++) {
    if ((status[s] === AVAILABLE || status[s] === NOT_FOR_SALE) && status[s] !== freeStatus(state, s))
      return true;
  }
  return false;
}

// ---- evolve ------------------------------------------------------------------------------

export function evolveSeats(
  state: EventState,
  e: EventOf<'SeatsBlocked' | 'SeatsUnblocked' | 'SeatsWithdrawn' | 'SeatsReturned'>,
  changes: Changes,
): void {
  for (const s of e.seats) {
    if (e.type === 'SeatsWithdrawn') state.withdrawn[s] = 1;
    else if (e.type === 'SeatsReturned') state.withdrawn[s] = 0;
    // A withdrawn seat is always NOT_FOR_SALE, so a returned one is free again.
    const next = e.type === 'SeatsBlocked' ? BLOCKED : freeStatus(state, s);
    setStatus(state, s, next, changes.deltas);
  }
}

export function evolveSaleChanged(state: EventState, e: EventOf<'SaleChanged'>): void {
  state.sale = e.sale;
}

/** New prices; free seats follow them (priced → AVAILABLE, unpriced → NOT_FOR_SALE). */
export function evolvePricesChanged(state: EventState, e: EventOf<'PricesChanged'>, changes: Changes): void {
  const { layout, prices, status } = state;
  const before = Array.from(layout.areas, (_, a) => areaAvailable(state, a));
  for (let c = 0; c < layout.categories.length; c++) prices[c] = e.prices[layout.categories[c].id] ?? -1;
  for (let s = 0; s < status.length; s++) {
    const st = status[s];
    if (st !== AVAILABLE && st !== NOT_FOR_SALE) continue;
    const next = freeStatus(state, s);
    if (next !== st) setStatus(state, s, next, changes.deltas);
  }
  layout.areas.forEach((_, a) => {
    const now = areaAvailable(state, a);
    if (now !== before[a]) changes.areas.push(a, now);
  });
}
