import { chooseBest } from './best-available.ts';
import { SEAT_ACCESSIBLE, SEAT_COMPANION } from './chart.ts';
import type { Command } from './commands.ts';
import { reject, rejectWith } from './errors.ts';
import type { EventOf, HeldItems } from './events.ts';
import type { Changes, Decision, Rejection } from './outcome.ts';
import { AVAILABLE, HELD } from './seat-status.ts';
import { checkSeats } from './seats.ts';
import { areaAvailable, type EventState, freeStatus, type Hold, internFan, setStatus } from './state.ts';

// Holds: deciding who may hold which seats or places for how long, and applying the
// decided holds, extensions, releases and expiries.

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;

/** Checks shared by every kind of new hold; null when the hold may go ahead. */
function checkNewHold(
  state: EventState,
  holdId: string,
  fanId: string,
  count: number,
  presale: boolean | undefined,
): Rejection | null {
  if (state.sale !== 'open') {
    if (state.sale !== 'presale') return reject('SALE_NOT_OPEN', `the sale is ${state.sale}`);
    if (!presale) {
      return reject(
        'PRESALE_ONLY',
        'the presale is on: only fans with a presale code or invitation may hold',
      );
    }
  }
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

export function decideHold(state: EventState, cmd: Cmd<'hold'>, now: number): Decision {
  const seats = cmd.seats;
  const bad = checkSeats(state, seats);
  if (bad) return rejectWith(bad);
  const denied = checkNewHold(state, cmd.holdId, cmd.fanId, seats.length, cmd.presale);
  if (denied) return denied;
  const { status, layout, prices } = state;
  let companion = false;
  let accessible = false;
  for (const s of seats) {
    // The price check matters for journals of schema 1, whose unpriced seats stayed AVAILABLE.
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
  return seatsHeld(state, cmd, seats, true, now);
}

export function decideHoldBest(state: EventState, cmd: Cmd<'holdBest'>, now: number): Decision {
  const denied = checkNewHold(state, cmd.holdId, cmd.fanId, cmd.count, cmd.presale);
  if (denied) return denied;
  const choice = chooseBest(state, cmd.count, cmd.filter);
  if (!choice) return reject('NO_SEATS_AVAILABLE', `no ${cmd.count} seats match the request`);
  return seatsHeld(state, cmd, choice.seats, choice.together, now);
}

function seatsHeld(
  state: EventState,
  cmd: { holdId: string; fanId: string },
  seats: number[],
  together: boolean,
  now: number,
): Decision {
  return {
    type: 'SeatsHeld',
    holdId: cmd.holdId,
    fanId: cmd.fanId,
    seats,
    together,
    createdAt: now,
    expiresAt: now + state.config.holdTtlMs,
  };
}

export function decideHoldGa(state: EventState, cmd: Cmd<'holdGa'>, now: number): Decision {
  const area = state.layout.areaIndex.get(cmd.area);
  if (area === undefined) return reject('UNKNOWN_AREA', `unknown area "${cmd.area.slice(0, 64)}"`);
  const denied = checkNewHold(state, cmd.holdId, cmd.fanId, cmd.count, cmd.presale);
  if (denied) return denied;
  if (state.prices[state.layout.areas[area].category] < 0) {
    return reject('SEAT_UNAVAILABLE', `area "${cmd.area}" is not on sale`);
  }
  const left = areaAvailable(state, area);
  if (left < cmd.count) return reject('GA_SOLD_OUT', `area "${cmd.area}" has ${left} places left`);
  return {
    type: 'PlacesHeld',
    holdId: cmd.holdId,
    fanId: cmd.fanId,
    area,
    places: cmd.count,
    createdAt: now,
    expiresAt: now + state.config.holdTtlMs,
  };
}

/** Finds a hold the fan may act on, or the reason they may not. */
export function ownHold(state: EventState, holdId: string, fanId: string): Hold | Rejection {
  const h = state.holds.get(holdId);
  if (!h) return reject('HOLD_NOT_FOUND', `no hold "${holdId.slice(0, 64)}"`);
  if (state.fanIds[h.fan] !== fanId) return reject('NOT_HOLDER', 'the hold belongs to another fan');
  return h;
}

export function decideExtend(state: EventState, cmd: Cmd<'extendHold'>, now: number): Decision {
  const h = ownHold(state, cmd.holdId, cmd.fanId);
  if ('ok' in h) return h;
  if (h.expiresAt <= now) return reject('HOLD_EXPIRED', 'the hold has expired');
  const next = Math.min(h.expiresAt + cmd.byMs, h.createdAt + state.config.maxHoldMs);
  if (next <= h.expiresAt) {
    return reject('HOLD_EXTEND_LIMIT', `a hold lasts at most ${state.config.maxHoldMs / 1000} s in all`);
  }
  return { type: 'HoldExtended', holdId: h.id, fanId: cmd.fanId, expiresAt: next };
}

/**
 * A hold's seats and places, as the events that end it carry them. The seats array is the
 * hold's own: a hold's seats never change after it is taken, so events may share it.
 */
export function heldItems(state: EventState, h: Hold): HeldItems {
  return { holdId: h.id, fanId: state.fanIds[h.fan], seats: h.seats, area: h.area, places: h.places };
}

export function decideRelease(state: EventState, cmd: Cmd<'release'>): Decision {
  const h = ownHold(state, cmd.holdId, cmd.fanId);
  if ('ok' in h) return h;
  // A literal, not a spread of heldItems: releases are half of the hot path.
  return {
    type: 'HoldReleased',
    holdId: h.id,
    fanId: cmd.fanId,
    seats: h.seats,
    area: h.area,
    places: h.places,
  };
}

export function decideExpire(state: EventState, now: number): Decision {
  const due = state.expiry.due(now);
  if (due.length === 0) return reject('NOTHING_DUE', 'no hold has expired');
  // In deadline order (ids break ties), however the heap happens to be laid out.
  due.sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : 1));
  return { type: 'HoldsExpired', holds: due.map((h) => heldItems(state, h)) };
}

// ---- evolve ------------------------------------------------------------------------------

function addHold(
  state: EventState,
  e: { holdId: string; fanId: string; createdAt: number; expiresAt: number },
  seats: number[],
  area: number,
  places: number,
): Hold {
  const fan = internFan(state, e.fanId);
  const hold: Hold = {
    id: e.holdId,
    fan,
    seats,
    area,
    places,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    heapSlot: -1,
  };
  const before = state.holds.size;
  // A set that adds nothing replaced a live hold: the journal is corrupt (one lookup, not two).
  if (state.holds.set(e.holdId, hold).size === before) throw new Error(`hold ${e.holdId} exists already`);
  state.fanTickets[fan] += seats.length + places;
  state.expiry.push(hold);
  return hold;
}

export function evolveSeatsHeld(state: EventState, e: EventOf<'SeatsHeld'>, changes: Changes): void {
  const hold = addHold(state, e, e.seats, -1, 0);
  const deltas = changes.deltas;
  const holder = state.holder;
  const fan = hold.fan + 1;
  for (const s of e.seats) {
    setStatus(state, s, HELD, deltas);
    holder[s] = fan;
  }
}

export function evolvePlacesHeld(state: EventState, e: EventOf<'PlacesHeld'>, changes: Changes): void {
  addHold(state, e, [], e.area, e.places);
  state.areaHeld[e.area] += e.places;
  changes.areas.push(e.area, areaAvailable(state, e.area));
}

/** The hold an event names; a journal naming a hold that is not there is corrupt. */
export function liveHold(state: EventState, holdId: string): Hold {
  const h = state.holds.get(holdId);
  if (!h) throw new Error(`no hold ${holdId} to apply the event to`);
  return h;
}

export function evolveHoldExtended(state: EventState, e: EventOf<'HoldExtended'>): void {
  const h = liveHold(state, e.holdId);
  h.expiresAt = e.expiresAt;
  state.expiry.update(h);
}

/** Frees a hold's seats and places. */
function dropHold(state: EventState, h: Hold, changes: Changes): void {
  const deltas = changes.deltas;
  const holder = state.holder;
  for (const s of h.seats) {
    setStatus(state, s, freeStatus(state, s), deltas);
    holder[s] = 0;
  }
  if (h.area >= 0) {
    state.areaHeld[h.area] -= h.places;
    changes.areas.push(h.area, areaAvailable(state, h.area));
  }
  state.fanTickets[h.fan] -= h.seats.length + h.places;
  state.holds.delete(h.id);
  state.expiry.remove(h);
}

export function evolveHoldReleased(state: EventState, e: EventOf<'HoldReleased'>, changes: Changes): void {
  dropHold(state, liveHold(state, e.holdId), changes);
}

export function evolveHoldsExpired(state: EventState, e: EventOf<'HoldsExpired'>, changes: Changes): void {
  for (const h of e.holds) dropHold(state, liveHold(state, h.holdId), changes);
}

/** When the next hold falls due, or Infinity when none is held. */
export function nextExpiry(state: EventState): number {
  return state.expiry.peek()?.expiresAt ?? Number.POSITIVE_INFINITY;
}
