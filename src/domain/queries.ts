import type { SaleStatus } from './commands.ts';
import { AVAILABLE, BOOKED, HELD, RESALE, STATUS_NAMES, type StatusName } from './seat-status.ts';
import { areaAvailable, type EventState, type Hold } from './state.ts';

// Read-only answers about an event's state, as plain data (they cross processes). Seats are
// seat numbers; callers map them to public ids.

export interface Availability {
  version: number;
  sale: SaleStatus;
  /** Seats by status name. */
  seats: Record<StatusName, number>;
  areas: { id: string; name: string; capacity: number; available: number }[];
  /** Price per category in cents (unpriced categories are not listed). */
  prices: Record<string, number>;
}

export interface HoldView {
  holdId: string;
  fanId: string;
  seats: number[];
  /** Area id of a general-admission hold, null for seats. */
  area: string | null;
  places: number;
  createdAt: number;
  expiresAt: number;
}

export interface OrderView {
  orderId: string;
  /** The buyer. */
  fanId: string;
  /** Seats booked in the order and not cancelled, with who holds each now (after transfers). */
  seats: { seat: number; fanId: string }[];
  /** Places booked per area id. */
  places: Record<string, number>;
}

export function availability(s: EventState): Availability {
  const prices: Record<string, number> = {};
  s.layout.categories.forEach((c, i) => {
    if (s.prices[i] >= 0) prices[c.id] = s.prices[i];
  });
  return {
    version: s.version,
    sale: s.sale,
    seats: Object.fromEntries(STATUS_NAMES.map((name, i) => [name, s.statusCounts[i]])) as Record<
      StatusName,
      number
    >,
    areas: s.layout.areas.map((a, i) => ({
      id: a.id,
      name: a.name,
      capacity: a.capacity,
      available: areaAvailable(s, i),
    })),
    prices,
  };
}

/** Seats and general-admission places left to hold. */
export function availableToHold(s: EventState): number {
  let n = s.statusCounts[AVAILABLE];
  for (let a = 0; a < s.layout.areas.length; a++) n += areaAvailable(s, a);
  return n;
}

/** Seats and places held or booked: what demand has taken so far. */
export function taken(s: EventState): number {
  let ga = 0;
  for (let i = 0; i < s.areaHeld.length; i++) ga += s.areaHeld[i] + s.areaBooked[i];
  return s.statusCounts[HELD] + s.statusCounts[BOOKED] + s.statusCounts[RESALE] + ga;
}

function holdView(s: EventState, h: Hold): HoldView {
  return {
    holdId: h.id,
    fanId: s.fanIds[h.fan],
    seats: h.seats.slice(),
    area: h.area >= 0 ? s.layout.areas[h.area].id : null,
    places: h.places,
    createdAt: h.createdAt,
    expiresAt: h.expiresAt,
  };
}

export function holdOf(s: EventState, holdId: string): HoldView | null {
  const h = s.holds.get(holdId);
  return h ? holdView(s, h) : null;
}

/** A fan's live holds, soonest to expire first. Holds past their deadline but not yet expired are left out. */
export function holdsOf(s: EventState, fanId: string, now: number): HoldView[] {
  const fan = s.fanIndex.get(fanId);
  if (fan === undefined) return [];
  const out: HoldView[] = [];
  for (const h of s.holds.values()) if (h.fan === fan && h.expiresAt > now) out.push(holdView(s, h));
  return out.sort((a, b) => a.expiresAt - b.expiresAt);
}

export function orderOf(s: EventState, orderId: string): OrderView | null {
  const n = s.orderIndex.get(orderId);
  if (n === undefined) return null;
  const o = s.orders[n];
  const places: Record<string, number> = {};
  o.places.forEach((p, a) => {
    if (p) places[s.layout.areas[a].id] = p;
  });
  return {
    orderId: o.id,
    fanId: s.fanIds[o.fan],
    seats: o.seats.map((seat) => ({ seat, fanId: s.fanIds[s.holder[seat] - 1] })),
    places,
  };
}

/** Everything, for tests and tools (the internal API): large on a stadium. */
export function dump(s: EventState) {
  return {
    version: s.version,
    sale: s.sale,
    status: Array.from(s.status),
    holds: [...s.holds.values()].map((h) => holdView(s, h)),
    orders: s.orders.map((o) => ({ orderId: o.id, fanId: s.fanIds[o.fan], seats: o.seats.slice() })),
  };
}
