import type { SaleStatus } from './commands.ts';

// What happened to an event, as decided: the facts the journal keeps, recovery evolves and
// the commit stream hands to orders, tickets and the seat map. An event records the
// decision's outcome (which seats, until when), never the request, so a change to a
// decision rule (best-available, say) cannot change how an old journal replays.
//
// Seats are seat numbers and areas area numbers of the chart version the event pinned; fans
// and orders are the ids the commands named. Times are ms since the epoch.

/** Version of the event shapes below; every journal batch records the one it was written in. */
// 3 added the resale events and SeatsTransferred's sale: a superset of 2, read as it is.
export const EVENT_SCHEMA = 3;

/** A hold's seats and places, as the events that end a hold report them. */
export interface HeldItems {
  holdId: string;
  fanId: string;
  /** Seat numbers; empty for general admission. */
  seats: number[];
  /** Area number of a general-admission hold, -1 for seats. */
  area: number;
  places: number;
}

export type DomainEvent =
  | {
      type: 'SeatsHeld';
      holdId: string;
      fanId: string;
      seats: number[];
      /** Side by side in one row (best-available may have had to scatter them). */
      together: boolean;
      createdAt: number;
      expiresAt: number;
    }
  | {
      type: 'PlacesHeld';
      holdId: string;
      fanId: string;
      area: number;
      places: number;
      createdAt: number;
      expiresAt: number;
    }
  | { type: 'HoldExtended'; holdId: string; fanId: string; expiresAt: number }
  | ({ type: 'HoldReleased' } & HeldItems)
  | { type: 'HoldsExpired'; holds: HeldItems[] }
  | ({ type: 'SeatsBooked'; orderId: string } & HeldItems)
  | {
      type: 'BookingCancelled';
      orderId: string;
      /** The buyer the order was booked for. */
      fanId: string;
      seats: number[];
      /** Flat (area, places) pairs given back. */
      places: number[];
    }
  | {
      type: 'SeatsTransferred';
      orderId: string;
      fromFanId: string;
      toFanId: string;
      seats: number[];
      /** Present when a resale listing was bought: the listing, and the buyer's order that paid. */
      sale?: { listingId: string; orderId: string };
    }
  | { type: 'ResaleListed'; listingId: string; fanId: string; seats: number[]; price: number }
  | { type: 'ResaleWithdrawn'; listingId: string; fanId: string; seats: number[] }
  | { type: 'SeatsBlocked'; seats: number[] }
  | { type: 'SeatsUnblocked'; seats: number[] }
  /** Taken out of the inventory by an operator (for cameras, the press…), whatever their price. */
  | { type: 'SeatsWithdrawn'; seats: number[] }
  | { type: 'SeatsReturned'; seats: number[] }
  | { type: 'SaleChanged'; sale: SaleStatus }
  /** The price per category (cents); a category missing here is not on sale. */
  | { type: 'PricesChanged'; prices: Record<string, number> };

export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export const EVENT_TYPES: readonly EventType[] = [
  'SeatsHeld',
  'PlacesHeld',
  'HoldExtended',
  'HoldReleased',
  'HoldsExpired',
  'SeatsBooked',
  'BookingCancelled',
  'SeatsTransferred',
  'ResaleListed',
  'ResaleWithdrawn',
  'SeatsBlocked',
  'SeatsUnblocked',
  'SeatsWithdrawn',
  'SeatsReturned',
  'SaleChanged',
  'PricesChanged',
];

/** Seat numbers an event is about (for the history of a seat). */
export function seatsOf(e: DomainEvent): number[] {
  switch (e.type) {
    case 'HoldsExpired':
      return e.holds.flatMap((h) => h.seats);
    case 'PlacesHeld':
    case 'HoldExtended':
    case 'SaleChanged':
    case 'PricesChanged':
      return [];
    default:
      return e.seats;
  }
}

/** Fan ids an event is about (for the history of a fan). */
export function fansOf(e: DomainEvent): string[] {
  switch (e.type) {
    case 'HoldsExpired':
      return e.holds.map((h) => h.fanId);
    case 'SeatsTransferred':
      return [e.fromFanId, e.toFanId];
    case 'SeatsBlocked':
    case 'SeatsUnblocked':
    case 'SeatsWithdrawn':
    case 'SeatsReturned':
    case 'SaleChanged':
    case 'PricesChanged':
      return [];
    default:
      return [e.fanId];
  }
}

/** The order an event is about, if any (for the history of an order). */
export function orderOf(e: DomainEvent): string | null {
  return e.type === 'SeatsBooked' || e.type === 'BookingCancelled' || e.type === 'SeatsTransferred'
    ? e.orderId
    : null;
}
