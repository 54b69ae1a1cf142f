import type { Layout } from './chart.ts';
import type { SaleStatus } from './commands.ts';
import { ExpiryHeap } from './expiry-heap.ts';
import { AVAILABLE, NOT_FOR_SALE, STATUS_NAMES } from './seat-status.ts';

export interface EventConfig {
  /** How long a new hold lasts. */
  holdTtlMs: number;
  /** Bound on a hold's whole life, extensions included. */
  maxHoldMs: number;
  /** Most seats or places in one hold, and in one order. */
  maxPerOrder: number;
  /** Most seats or places one fan may hold and own at once. */
  maxPerFan: number;
}

export const DEFAULT_CONFIG: EventConfig = {
  holdTtlMs: 10 * 60_000,
  maxHoldMs: 20 * 60_000,
  maxPerOrder: 10,
  maxPerFan: 10,
};

export interface Hold {
  id: string;
  fan: number;
  /** Seat numbers, or empty for a general-admission hold. */
  seats: number[];
  /** Area number for a general-admission hold, -1 otherwise. */
  area: number;
  places: number;
  createdAt: number;
  expiresAt: number;
  /** Position in the expiry heap (maintained by the heap). */
  heapSlot: number;
}

export interface Order {
  id: string;
  /** Buyer; seats may since have been transferred to others (see `holder`). */
  fan: number;
  seats: number[];
  /** General-admission places booked, per area number. */
  places: number[];
}

/**
 * An event's mutable state. Per-seat facts live in typed arrays indexed by seat number;
 * holds and orders are keyed records. Fans and orders are interned to numbers so a seat
 * costs 10 bytes (status, withdrawn, holder, order).
 */
export interface EventState {
  layout: Layout;
  config: EventConfig;
  /** Price in cents per category number; -1 where the category is not priced (not on sale). */
  prices: Int32Array;
  version: number;
  sale: SaleStatus;
  status: Uint8Array;
  /**
   * 1 where an operator took the seat out of the inventory (SeatsWithdrawn). A seat is
   * NOT_FOR_SALE while withdrawn or while its category has no price; freed seats return to
   * whichever of AVAILABLE / NOT_FOR_SALE that says (freeStatus).
   */
  withdrawn: Uint8Array;
  /** Fan number + 1 of whoever holds or owns the seat, 0 for none. */
  holder: Uint32Array;
  /** Order number + 1 of a booked seat, 0 for none. */
  order: Uint32Array;
  /** Seats with status AVAILABLE per row: lets best-available skip full rows at once. */
  rowAvailable: Uint16Array;
  statusCounts: Int32Array;
  areaHeld: Int32Array;
  areaBooked: Int32Array;
  fanIds: string[];
  fanIndex: Map<string, number>;
  /** Seats and places each fan holds or owns, by fan number. */
  fanTickets: number[];
  holds: Map<string, Hold>;
  orders: Order[];
  orderIndex: Map<string, number>;
  expiry: ExpiryHeap<Hold>;
}

export interface CreateOptions {
  /** Default 'open'. An event actor starts 'closed' and is told its sale by the catalog. */
  sale?: SaleStatus;
  /**
   * Journals of schema 1 began from a state where seats of unpriced categories were
   * AVAILABLE (holds on them were refused one by one); they replay from that state.
   */
  unpricedAvailable?: boolean;
}

/**
 * A fresh state at version 0. Seats whose category has no price are NOT_FOR_SALE. An event
 * actor starts from `createState(layout, {}, config, {sale: 'closed'})` — the same bytes
 * for every event of a chart — and its prices and sale arrive as journaled events.
 */
export function createState(
  layout: Layout,
  prices: Record<string, number>,
  config: Partial<EventConfig> = {},
  opts: CreateOptions = {},
): EventState {
  const n = layout.seatCount;
  const priceArr = new Int32Array(layout.categories.length).fill(-1);
  for (const [cat, price] of Object.entries(prices)) {
    const c = layout.categoryIndex.get(cat);
    if (c !== undefined) priceArr[c] = price;
  }
  const status = new Uint8Array(n);
  const rowAvailable = new Uint16Array(layout.rowCount);
  const statusCounts = new Int32Array(STATUS_NAMES.length);
  for (let s = 0; s < n; s++) {
    if (!opts.unpricedAvailable && priceArr[layout.seatCategory[s]] < 0) status[s] = NOT_FOR_SALE;
    else rowAvailable[layout.seatRow[s]]++;
    statusCounts[status[s]]++;
  }
  return {
    layout,
    config: { ...DEFAULT_CONFIG, ...config },
    prices: priceArr,
    version: 0,
    sale: opts.sale ?? 'open',
    status,
    withdrawn: new Uint8Array(n),
    holder: new Uint32Array(n),
    order: new Uint32Array(n),
    rowAvailable,
    statusCounts,
    areaHeld: new Int32Array(layout.areas.length),
    areaBooked: new Int32Array(layout.areas.length),
    fanIds: [],
    fanIndex: new Map(),
    fanTickets: [],
    holds: new Map(),
    orders: [],
    orderIndex: new Map(),
    expiry: new ExpiryHeap(),
  };
}

/** The status a seat returns to when it is freed: for sale only if priced and not withdrawn. */
export function freeStatus(state: EventState, seat: number): number {
  return state.withdrawn[seat] === 1 || state.prices[state.layout.seatCategory[seat]] < 0
    ? NOT_FOR_SALE
    : AVAILABLE;
}

/** The one place a seat's status changes, so the row and status counters stay exact. */
export function setStatus(state: EventState, seat: number, next: number, deltas: number[]): void {
  const prev = state.status[seat];
  if (prev === AVAILABLE) state.rowAvailable[state.layout.seatRow[seat]]--;
  if (next === AVAILABLE) state.rowAvailable[state.layout.seatRow[seat]]++;
  state.statusCounts[prev]--;
  state.statusCounts[next]++;
  state.status[seat] = next;
  deltas.push(seat, next);
}

export function internFan(state: EventState, fanId: string): number {
  let f = state.fanIndex.get(fanId);
  if (f === undefined) {
    f = state.fanIds.length;
    state.fanIds.push(fanId);
    state.fanIndex.set(fanId, f);
    state.fanTickets.push(0);
  }
  return f;
}

/** Tickets a fan holds or owns; 0 for a fan the event has never seen. */
export function fanTickets(state: EventState, fanId: string): number {
  const f = state.fanIndex.get(fanId);
  return f === undefined ? 0 : state.fanTickets[f];
}

/** Places left to hold in an area: none while its category has no price. */
export function areaAvailable(state: EventState, area: number): number {
  const a = state.layout.areas[area];
  if (state.prices[a.category] < 0) return 0;
  return a.capacity - state.areaHeld[area] - state.areaBooked[area];
}

/** Bytes of per-seat state (the typed arrays), the figure the 2 MB budget is about. */
export function seatStateBytes(state: EventState): number {
  return (
    state.status.byteLength +
    state.withdrawn.byteLength +
    state.holder.byteLength +
    state.order.byteLength +
    state.rowAvailable.byteLength
  );
}
