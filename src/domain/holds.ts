import { chooseBest } from './best-available.ts';
import { SEAT_ACCESSIBLE, SEAT_COMPANION } from './chart.ts';
import type { Command } from './commands.ts';
import { reject, rejectWith } from './errors.ts';
import { accepted, type Outcome } from './outcome.ts';
import { AVAILABLE, HELD } from './seat-status.ts';
import { checkSeats } from './seats.ts';
import { areaAvailable, type EventState, type Hold, internFan, setStatus } from './state.ts';

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;

/** Checks shared by every kind of new hold; null when the hold may go ahead. */
function checkNewHold(state: EventState, holdId: string, fanId: string, count: number): Outcome | null {
  if (state.sale !== 'open') return reject('SALE_NOT_OPEN', `the sale is ${state.sale}`);
  if (state.holds.has(holdId)) return reject('HOLD_EXISTS', `hold "${holdId}" already exists`);
  if (count > state.config.maxPerOrder) {
    return reject('LIMIT_PER_ORDER', `at most ${state.config.maxPerOrder} tickets per order`);
  }
  const f = state.fanIndex.get(fanId);
  const owned = f === undefined ? 0 : state.fanTickets[f];
  if (owned + count > state.config.maxPerFan) {
    return reject(
      'LIMIT_PER_FAN',
      `at most ${state.config.maxPerFan} tickets per fan; this fan has ${owned}`,
    );
  }
  return null;
}

function addHold(
  state: EventState,
  holdId: string,
  fanId: string,
  seats: number[],
  area: number,
  places: number,
  now: number,
): Hold {
  const fan = internFan(state, fanId);
  const hold: Hold = {
    id: holdId,
    fan,
    seats,
    area,
    places,
    createdAt: now,
    expiresAt: now + state.config.holdTtlMs,
    heapSlot: -1,
  };
  state.holds.set(holdId, hold);
  state.fanTickets[fan] += seats.length + places;
  state.expiry.push(hold);
  return hold;
}

function holdSeats(
  state: EventState,
  cmd: { holdId: string; fanId: string },
  seats: number[],
  now: number,
  deltas: number[],
): Hold {
  const hold = addHold(state, cmd.holdId, cmd.fanId, seats, -1, 0, now);
  for (const s of seats) {
    setStatus(state, s, HELD, deltas);
    state.holder[s] = hold.fan + 1;
  }
  return hold;
}

export function hold(state: EventState, cmd: Cmd<'hold'>, now: number): Outcome {
  const seats = cmd.seats;
  const bad = checkSeats(state, seats);
  if (bad) return rejectWith(bad);
  const denied = checkNewHold(state, cmd.holdId, cmd.fanId, seats.length);
  if (denied) return denied;
  const { status, layout, prices } = state;
  let companion = false;
  let accessible = false;
  for (const s of seats) {
    if (status[s] !== AVAILABLE || prices[layout.seatCategory[s]] < 0) {
      return reject('SEAT_UNAVAILABLE', `seat ${s} (${layout.seatIds[s]}) is not available`);
    }
    const f = layout.seatFlags[s];
    if (f & SEAT_COMPANION) companion = true;
    if (f & SEAT_ACCESSIBLE) accessible = true;
  }
  if (companion && !accessible) {
    return reject('COMPANION_WITHOUT_ACCESSIBLE', 'a companion seat is sold only with a wheelchair place');
  }
  const deltas: number[] = [];
  const h = holdSeats(state, cmd, seats, now, deltas);
  return accepted({ holdId: h.id, seats, together: true, expiresAt: h.expiresAt }, deltas);
}

export function holdBest(state: EventState, cmd: Cmd<'holdBest'>, now: number): Outcome {
  const denied = checkNewHold(state, cmd.holdId, cmd.fanId, cmd.count);
  if (denied) return denied;
  const choice = chooseBest(state, cmd.count, cmd.filter);
  if (!choice) return reject('NO_SEATS_AVAILABLE', `no ${cmd.count} seats match the request`);
  const deltas: number[] = [];
  const h = holdSeats(state, cmd, choice.seats, now, deltas);
  return accepted(
    { holdId: h.id, seats: choice.seats, together: choice.together, expiresAt: h.expiresAt },
    deltas,
  );
}

export function holdGa(state: EventState, cmd: Cmd<'holdGa'>, now: number): Outcome {
  const area = state.layout.areaIndex.get(cmd.area);
  if (area === undefined) return reject('UNKNOWN_AREA', `unknown area "${cmd.area.slice(0, 64)}"`);
  const denied = checkNewHold(state, cmd.holdId, cmd.fanId, cmd.count);
  if (denied) return denied;
  if (state.prices[state.layout.areas[area].category] < 0) {
    return reject('SEAT_UNAVAILABLE', `area "${cmd.area}" is not on sale`);
  }
  if (areaAvailable(state, area) < cmd.count) {
    return reject('GA_SOLD_OUT', `area "${cmd.area}" has ${areaAvailable(state, area)} places left`);
  }
  const h = addHold(state, cmd.holdId, cmd.fanId, [], area, cmd.count, now);
  state.areaHeld[area] += cmd.count;
  return accepted(
    { holdId: h.id, area: cmd.area, places: cmd.count, expiresAt: h.expiresAt },
    [],
    [area, areaAvailable(state, area)],
  );
}

/** Finds a hold the fan may act on, or the reason they may not. */
export function ownHold(state: EventState, holdId: string, fanId: string): Hold | Outcome {
  const h = state.holds.get(holdId);
  if (!h) return reject('HOLD_NOT_FOUND', `no hold "${holdId.slice(0, 64)}"`);
  if (state.fanIds[h.fan] !== fanId) return reject('NOT_HOLDER', 'the hold belongs to another fan');
  return h;
}

export function extendHold(state: EventState, cmd: Cmd<'extendHold'>, now: number): Outcome {
  const h = ownHold(state, cmd.holdId, cmd.fanId);
  if ('ok' in h) return h;
  if (h.expiresAt <= now) return reject('HOLD_EXPIRED', 'the hold has expired');
  const next = Math.min(h.expiresAt + cmd.byMs, h.createdAt + state.config.maxHoldMs);
  if (next <= h.expiresAt) {
    return reject('HOLD_EXTEND_LIMIT', `a hold lasts at most ${state.config.maxHoldMs / 1000} s in all`);
  }
  h.expiresAt = next;
  state.expiry.update(h);
  return accepted({ holdId: h.id, expiresAt: next }, []);
}

/** Frees a hold's seats and places; the caller has checked who may. */
function dropHold(state: EventState, h: Hold, deltas: number[], areas: number[]): void {
  for (const s of h.seats) {
    setStatus(state, s, AVAILABLE, deltas);
    state.holder[s] = 0;
  }
  if (h.area >= 0) {
    state.areaHeld[h.area] -= h.places;
    areas.push(h.area, areaAvailable(state, h.area));
  }
  state.fanTickets[h.fan] -= h.seats.length + h.places;
  state.holds.delete(h.id);
  state.expiry.remove(h);
}

export function release(state: EventState, cmd: Cmd<'release'>): Outcome {
  const h = ownHold(state, cmd.holdId, cmd.fanId);
  if ('ok' in h) return h;
  const deltas: number[] = [];
  const areas: number[] = [];
  dropHold(state, h, deltas, areas);
  return accepted({ holdId: h.id, released: h.seats.length + h.places }, deltas, areas);
}

export function expire(state: EventState, now: number): Outcome {
  const expired: string[] = [];
  const deltas: number[] = [];
  const areas: number[] = [];
  for (let h = state.expiry.peek(); h && h.expiresAt <= now; h = state.expiry.peek()) {
    dropHold(state, h, deltas, areas);
    expired.push(h.id);
  }
  if (expired.length === 0) return reject('NOTHING_DUE', 'no hold has expired');
  return accepted({ expired }, deltas, areas);
}

/** When the next hold falls due, or Infinity when none is held. */
export function nextExpiry(state: EventState): number {
  return state.expiry.peek()?.expiresAt ?? Number.POSITIVE_INFINITY;
}
