import { describe, expect, it } from 'vitest';
import { AVAILABLE, BOOKED } from '../../src/domain/seat-status.ts';
import { areaAvailable, type EventState, fanTickets } from '../../src/domain/state.ts';
import {
  accept,
  CONFIG,
  fixtureState,
  PRICED_SEATS,
  rejectWith,
  SEAT_COUNT,
  T0,
} from '../support/fixture.ts';

const floor = 0;

function owner(s: EventState, seat: number): string | undefined {
  return s.holder[seat] === 0 ? undefined : s.fanIds[s.holder[seat] - 1];
}

/** ann holds seats 0,1 (h1) and 2 GA places (g1); bob holds seat 6 (h2). */
function withHolds(): EventState {
  const s = fixtureState();
  accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] });
  accept(s, { type: 'holdGa', holdId: 'g1', fanId: 'ann', area: 'FLOOR', count: 2 });
  accept(s, { type: 'hold', holdId: 'h2', fanId: 'bob', seats: [6] });
  return s;
}

/** ann has bought seats 0,1 and 2 GA places in order o1. */
function withOrder(): EventState {
  const s = withHolds();
  accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }, T0 + 10);
  accept(s, { type: 'book', holdId: 'g1', fanId: 'ann', orderId: 'o1' }, T0 + 10);
  return s;
}

describe('book', () => {
  describe('given a live hold', () => {
    it('when its holder books it, then the seats are BOOKED in the order, the hold is gone, and the fan count is unchanged', () => {
      const s = withHolds();
      const out = accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }, T0 + 10);
      expect(out.value).toEqual({ orderId: 'o1', seats: [0, 1], places: 0 });
      expect(out.deltas).toEqual([0, BOOKED, 1, BOOKED]);
      expect(s.status[0]).toBe(BOOKED);
      expect(s.orders[s.order[0] - 1].id).toBe('o1');
      expect(owner(s, 0)).toBe('ann');
      expect(s.holds.has('h1')).toBe(false);
      expect(fanTickets(s, 'ann')).toBe(4);
      expect(s.statusCounts[BOOKED]).toBe(2);
    });

    it('when its holder books GA places, then they move from held to booked in the area', () => {
      const s = withHolds();
      accept(s, { type: 'book', holdId: 'g1', fanId: 'ann', orderId: 'o1' }, T0 + 10);
      expect(s.areaHeld[floor]).toBe(0);
      expect(s.areaBooked[floor]).toBe(2);
      expect(areaAvailable(s, floor)).toBe(8);
      expect(s.orders[0].places[floor]).toBe(2);
    });

    it('when a second hold is booked into the same order, then the order grows', () => {
      const s = withOrder();
      expect(s.orders).toHaveLength(1);
      expect(s.orders[0].seats).toEqual([0, 1]);
      expect(s.orders[0].places[floor]).toBe(2);
    });

    it('when booked just before the deadline, then it is accepted', () => {
      const s = withHolds();
      accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }, T0 + CONFIG.holdTtlMs - 1);
    });

    it('when the hold does not exist, then HOLD_NOT_FOUND', () => {
      rejectWith(
        withHolds(),
        { type: 'book', holdId: 'nope', fanId: 'ann', orderId: 'o1' },
        'HOLD_NOT_FOUND',
      );
    });
    it('when another fan books it, then NOT_HOLDER', () => {
      rejectWith(withHolds(), { type: 'book', holdId: 'h1', fanId: 'bob', orderId: 'o1' }, 'NOT_HOLDER');
    });
    it('when the hold has expired (even before an expire ran), then HOLD_EXPIRED and the seats stay held', () => {
      const s = withHolds();
      rejectWith(
        s,
        { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' },
        'HOLD_EXPIRED',
        T0 + CONFIG.holdTtlMs,
      );
      expect(s.holds.has('h1')).toBe(true);
    });
    it('when the order id belongs to another fan, then NOT_OWNER', () => {
      const s = withHolds();
      accept(s, { type: 'book', holdId: 'h2', fanId: 'bob', orderId: 'o1' });
      rejectWith(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }, 'NOT_OWNER');
    });
    it('when the order would pass maxPerOrder, then LIMIT_PER_ORDER', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1, 2] });
      accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' });
      accept(s, { type: 'hold', holdId: 'h2', fanId: 'ann', seats: [3, 4] });
      rejectWith(s, { type: 'book', holdId: 'h2', fanId: 'ann', orderId: 'o1' }, 'LIMIT_PER_ORDER');
      accept(s, { type: 'book', holdId: 'h2', fanId: 'ann', orderId: 'o2' });
    });
  });
});

describe('cancelBooking', () => {
  describe('given an order of two seats and two GA places', () => {
    it('when the whole order is cancelled, then seats and places return and the fan owns nothing', () => {
      const s = withOrder();
      const out = accept(s, { type: 'cancelBooking', orderId: 'o1' });
      expect(out.value).toEqual({ orderId: 'o1', seats: [0, 1], places: 2 });
      expect(out.deltas).toEqual([0, AVAILABLE, 1, AVAILABLE]);
      expect(out.areas).toEqual([floor, 10]);
      expect(s.status[0]).toBe(AVAILABLE);
      expect(s.holder[0]).toBe(0);
      expect(s.order[0]).toBe(0);
      expect(fanTickets(s, 'ann')).toBe(0);
      expect(areaAvailable(s, floor)).toBe(10);
      expect(s.statusCounts[AVAILABLE] + s.statusCounts[1]).toBe(PRICED_SEATS); // bob's seat 6 is still held
    });

    it('when one seat is cancelled, then only that seat returns and the places stay booked', () => {
      const s = withOrder();
      const out = accept(s, { type: 'cancelBooking', orderId: 'o1', seats: [1] });
      expect(out.value).toEqual({ orderId: 'o1', seats: [1], places: 0 });
      expect(s.status[0]).toBe(BOOKED);
      expect(s.status[1]).toBe(AVAILABLE);
      expect(s.orders[0].seats).toEqual([0]);
      expect(s.areaBooked[floor]).toBe(2);
      expect(fanTickets(s, 'ann')).toBe(3);
    });

    it('when a transferred seat is cancelled, then the new owner loses it', () => {
      const s = withOrder();
      accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [0] });
      accept(s, { type: 'cancelBooking', orderId: 'o1', seats: [0] });
      expect(fanTickets(s, 'cat')).toBe(0);
      expect(fanTickets(s, 'ann')).toBe(3);
    });

    it('when the order does not exist, then ORDER_NOT_FOUND', () => {
      rejectWith(withOrder(), { type: 'cancelBooking', orderId: 'o9' }, 'ORDER_NOT_FOUND');
    });
    it('when the order was already cancelled, then ORDER_NOT_FOUND (nothing left)', () => {
      const s = withOrder();
      accept(s, { type: 'cancelBooking', orderId: 'o1' });
      rejectWith(s, { type: 'cancelBooking', orderId: 'o1' }, 'ORDER_NOT_FOUND');
    });
    it('when a named seat is not in the order, then SEAT_NOT_IN_ORDER', () => {
      const s = withOrder();
      rejectWith(s, { type: 'cancelBooking', orderId: 'o1', seats: [0, 6] }, 'SEAT_NOT_IN_ORDER');
      accept(s, { type: 'cancelBooking', orderId: 'o1', seats: [0] });
      rejectWith(s, { type: 'cancelBooking', orderId: 'o1', seats: [0] }, 'SEAT_NOT_IN_ORDER');
    });
    it('when a named seat does not exist, then UNKNOWN_SEAT', () => {
      rejectWith(withOrder(), { type: 'cancelBooking', orderId: 'o1', seats: [0, 999] }, 'UNKNOWN_SEAT');
    });
    it('when a named seat appears twice, then DUPLICATE_SEAT', () => {
      rejectWith(withOrder(), { type: 'cancelBooking', orderId: 'o1', seats: [0, 0] }, 'DUPLICATE_SEAT');
    });
  });
});

describe('transfer', () => {
  describe('given an order of seats 0 and 1 owned by ann', () => {
    it('when ann transfers the whole order to cat, then cat owns both seats, still BOOKED', () => {
      const s = withOrder();
      const out = accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat' });
      expect(out.value).toEqual({ orderId: 'o1', seats: [0, 1], toFanId: 'cat' });
      expect(out.deltas).toEqual([0, BOOKED, 1, BOOKED]);
      expect(owner(s, 0)).toBe('cat');
      expect(owner(s, 1)).toBe('cat');
      expect(s.status[0]).toBe(BOOKED);
      expect(fanTickets(s, 'cat')).toBe(2);
      expect(fanTickets(s, 'ann')).toBe(2); // the GA places stay with the buyer
    });
    it('when ann transfers one named seat, then only that seat changes owner', () => {
      const s = withOrder();
      accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [1] });
      expect(owner(s, 0)).toBe('ann');
      expect(owner(s, 1)).toBe('cat');
    });
    it('when the new owner transfers it on, then it moves again, and ann can no longer move it', () => {
      const s = withOrder();
      accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [1] });
      rejectWith(
        s,
        { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'dan', seats: [1] },
        'NOT_OWNER',
      );
      accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'cat', toFanId: 'dan', seats: [1] });
      expect(owner(s, 1)).toBe('dan');
    });

    it('when the recipient would go over the per-fan limit, then LIMIT_PER_FAN and nothing moves', () => {
      // CONFIG.maxPerFan is 6: cat holds 5 seats, so 2 more are one too many, 1 fits.
      const s = withOrder();
      accept(s, { type: 'hold', holdId: 'c1', fanId: 'cat', seats: [10, 11, 12, 13] });
      accept(s, { type: 'hold', holdId: 'c2', fanId: 'cat', seats: [14] });
      rejectWith(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat' }, 'LIMIT_PER_FAN');
      expect(owner(s, 0)).toBe('ann');
      expect(fanTickets(s, 'cat')).toBe(5);
      accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [0] });
      expect(fanTickets(s, 'cat')).toBe(6);
    });

    it('when the sender and receiver are the same fan, then INVALID_COMMAND', () => {
      rejectWith(
        withOrder(),
        { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'ann' },
        'INVALID_COMMAND',
      );
    });
    it('when the order does not exist, then ORDER_NOT_FOUND', () => {
      rejectWith(
        withOrder(),
        { type: 'transfer', orderId: 'o9', fromFanId: 'ann', toFanId: 'cat' },
        'ORDER_NOT_FOUND',
      );
    });
    it('when the sender owns no seat of the order, then NOT_OWNER', () => {
      rejectWith(
        withOrder(),
        { type: 'transfer', orderId: 'o1', fromFanId: 'bob', toFanId: 'cat' },
        'NOT_OWNER',
      );
      rejectWith(
        withOrder(),
        { type: 'transfer', orderId: 'o1', fromFanId: 'zed', toFanId: 'cat' },
        'NOT_OWNER',
      );
    });
    it('when a named seat belongs to someone else, then NOT_OWNER', () => {
      const s = withOrder();
      accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [0] });
      rejectWith(
        s,
        { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'dan', seats: [0, 1] },
        'NOT_OWNER',
      );
    });
    it('when a named seat is not in the order, then SEAT_NOT_IN_ORDER', () => {
      rejectWith(
        withOrder(),
        { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [6] },
        'SEAT_NOT_IN_ORDER',
      );
    });
    it('when a named seat does not exist, then UNKNOWN_SEAT', () => {
      rejectWith(
        withOrder(),
        { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [SEAT_COUNT] },
        'UNKNOWN_SEAT',
      );
    });
    it('when a named seat appears twice, then DUPLICATE_SEAT', () => {
      rejectWith(
        withOrder(),
        { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cat', seats: [1, 1] },
        'DUPLICATE_SEAT',
      );
    });
  });
});
