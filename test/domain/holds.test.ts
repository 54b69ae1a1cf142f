import { describe, expect, it } from 'vitest';
import { apply } from '../../src/domain/apply.ts';
import { nextExpiry } from '../../src/domain/holds.ts';
import { AVAILABLE, BLOCKED, BOOKED, HELD } from '../../src/domain/seat-status.ts';
import { areaAvailable, fanTickets } from '../../src/domain/state.ts';
import {
  accept,
  CONFIG,
  fixtureState,
  PRICED_SEATS,
  rejectWith,
  SEAT,
  SEAT_COUNT,
  T0,
} from '../support/fixture.ts';

const floor = 0; // area number of FLOOR in the fixture

describe('hold', () => {
  describe('given an open sale and free seats', () => {
    it('when a fan holds two seats, then both are HELD by that fan until now + holdTtlMs', () => {
      const s = fixtureState();
      const out = accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] });
      expect(out.value).toEqual({
        holdId: 'h1',
        seats: [0, 1],
        together: true,
        expiresAt: T0 + CONFIG.holdTtlMs,
      });
      expect(out.deltas).toEqual([0, HELD, 1, HELD]);
      expect(s.status[0]).toBe(HELD);
      expect(s.status[1]).toBe(HELD);
      expect(s.fanIds[s.holder[0] - 1]).toBe('ann');
      expect(fanTickets(s, 'ann')).toBe(2);
      expect(s.statusCounts[HELD]).toBe(2);
      expect(s.statusCounts[AVAILABLE]).toBe(PRICED_SEATS - 2);
      expect(s.rowAvailable[0]).toBe(4);
      expect(nextExpiry(s)).toBe(T0 + CONFIG.holdTtlMs);
    });

    it('when a fan holds a wheelchair place with its companion seat, then the hold is accepted', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [SEAT.COMPANION, SEAT.ACCESSIBLE] });
      expect(s.status[SEAT.COMPANION]).toBe(HELD);
      expect(s.status[SEAT.ACCESSIBLE]).toBe(HELD);
    });

    it('when a fan holds a wheelchair place alone, then the hold is accepted', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [SEAT.ACCESSIBLE] });
    });

    it('when a hold id is reused after its hold was released, then it is accepted again', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      accept(s, { type: 'release', holdId: 'h1', fanId: 'ann' });
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'bob', seats: [0] });
      expect(s.fanIds[s.holder[0] - 1]).toBe('bob');
    });
  });

  describe('given a command that names seats badly', () => {
    it('when a seat number is past the end of the chart, then UNKNOWN_SEAT', () => {
      rejectWith(
        fixtureState(),
        { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, SEAT_COUNT] },
        'UNKNOWN_SEAT',
      );
    });
    it('when a seat number is negative or fractional, then UNKNOWN_SEAT', () => {
      rejectWith(fixtureState(), { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [-1] }, 'UNKNOWN_SEAT');
      rejectWith(fixtureState(), { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [1.5] }, 'UNKNOWN_SEAT');
    });
    it('when a seat appears twice, then DUPLICATE_SEAT', () => {
      rejectWith(
        fixtureState(),
        { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [3, 4, 3] },
        'DUPLICATE_SEAT',
      );
    });
    it('when a seat appears twice in a long list (more than 16 seats), then DUPLICATE_SEAT', () => {
      const s = fixtureState({ maxPerOrder: 30, maxPerFan: 30 });
      const seats = [...Array.from({ length: 17 }, (_, i) => i), 5];
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats }, 'DUPLICATE_SEAT');
    });
  });

  describe('given seats that cannot be sold', () => {
    it('when the seat is held by someone else, then SEAT_UNAVAILABLE', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [2] });
      rejectWith(s, { type: 'hold', holdId: 'h2', fanId: 'bob', seats: [1, 2] }, 'SEAT_UNAVAILABLE');
      expect(s.status[1]).toBe(AVAILABLE);
    });
    it('when the seat is booked, then SEAT_UNAVAILABLE', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [2] });
      accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' });
      expect(s.status[2]).toBe(BOOKED);
      rejectWith(s, { type: 'hold', holdId: 'h2', fanId: 'bob', seats: [2] }, 'SEAT_UNAVAILABLE');
    });
    it('when the seat is blocked or not for sale, then SEAT_UNAVAILABLE', () => {
      const s = fixtureState();
      accept(s, { type: 'block', seats: [4] });
      accept(s, { type: 'setForSale', seats: [5], forSale: false });
      expect(s.status[4]).toBe(BLOCKED);
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [4] }, 'SEAT_UNAVAILABLE');
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [5] }, 'SEAT_UNAVAILABLE');
    });
    it("when the seat's category has no price, then SEAT_UNAVAILABLE", () => {
      rejectWith(
        fixtureState(),
        { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [SEAT.UNPRICED[0]] },
        'SEAT_UNAVAILABLE',
      );
    });
    it('when a companion seat is asked for without a wheelchair place, then COMPANION_WITHOUT_ACCESSIBLE', () => {
      rejectWith(
        fixtureState(),
        { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [SEAT.COMPANION, 14] },
        'COMPANION_WITHOUT_ACCESSIBLE',
      );
    });
  });

  describe('given the sale rules', () => {
    it('when the sale is paused or closed, then SALE_NOT_OPEN', () => {
      const s = fixtureState();
      accept(s, { type: 'setSale', status: 'paused' });
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, 'SALE_NOT_OPEN');
      accept(s, { type: 'setSale', status: 'closed' });
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, 'SALE_NOT_OPEN');
    });
    it('when the hold id is already live, then HOLD_EXISTS even for other seats', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [1] }, 'HOLD_EXISTS');
    });
    it('when more seats than maxPerOrder are asked for at once, then LIMIT_PER_ORDER', () => {
      rejectWith(
        fixtureState(),
        { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1, 2, 3, 4] },
        'LIMIT_PER_ORDER',
      );
    });
    it('when exactly maxPerOrder seats are asked for, then the hold is accepted', () => {
      accept(fixtureState(), { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1, 2, 3] });
    });
    it('when a fan would pass maxPerFan across holds, then LIMIT_PER_FAN, while another fan may still hold', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1, 2, 3] });
      accept(s, { type: 'hold', holdId: 'h2', fanId: 'ann', seats: [6, 7] });
      expect(fanTickets(s, 'ann')).toBe(CONFIG.maxPerFan);
      rejectWith(s, { type: 'hold', holdId: 'h3', fanId: 'ann', seats: [8] }, 'LIMIT_PER_FAN');
      accept(s, { type: 'hold', holdId: 'h3', fanId: 'bob', seats: [8] });
    });
    it('when booked seats count toward the per-fan limit, then LIMIT_PER_FAN after buying', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1, 2, 3] });
      accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' });
      accept(s, { type: 'holdGa', holdId: 'h2', fanId: 'ann', area: 'FLOOR', count: 2 });
      rejectWith(s, { type: 'hold', holdId: 'h3', fanId: 'ann', seats: [6] }, 'LIMIT_PER_FAN');
    });
  });
});

describe('holdBest', () => {
  describe('given an empty fixture hall', () => {
    it('when a fan asks for two seats, then the two middle seats of the front row are held together', () => {
      const s = fixtureState();
      const out = accept(s, { type: 'holdBest', holdId: 'h1', fanId: 'ann', count: 2 });
      expect(out.value).toMatchObject({ holdId: 'h1', seats: [2, 3], together: true });
      expect(s.status[2]).toBe(HELD);
      expect(s.status[3]).toBe(HELD);
      expect(fanTickets(s, 'ann')).toBe(2);
    });
  });

  describe('given the shared rules of a new hold', () => {
    it('when the sale is not open, then SALE_NOT_OPEN', () => {
      const s = fixtureState();
      accept(s, { type: 'setSale', status: 'paused' });
      rejectWith(s, { type: 'holdBest', holdId: 'h1', fanId: 'ann', count: 1 }, 'SALE_NOT_OPEN');
    });
    it('when the hold id is live, then HOLD_EXISTS', () => {
      const s = fixtureState();
      accept(s, { type: 'holdBest', holdId: 'h1', fanId: 'ann', count: 1 });
      rejectWith(s, { type: 'holdBest', holdId: 'h1', fanId: 'bob', count: 1 }, 'HOLD_EXISTS');
    });
    it('when the count passes maxPerOrder, then LIMIT_PER_ORDER', () => {
      rejectWith(
        fixtureState(),
        { type: 'holdBest', holdId: 'h1', fanId: 'ann', count: 5 },
        'LIMIT_PER_ORDER',
      );
    });
    it('when the fan would pass maxPerFan, then LIMIT_PER_FAN', () => {
      const s = fixtureState();
      accept(s, { type: 'holdBest', holdId: 'h1', fanId: 'ann', count: 4 });
      rejectWith(s, { type: 'holdBest', holdId: 'h2', fanId: 'ann', count: 3 }, 'LIMIT_PER_FAN');
    });
    it('when nothing matches the filter, then NO_SEATS_AVAILABLE', () => {
      rejectWith(
        fixtureState(),
        { type: 'holdBest', holdId: 'h1', fanId: 'ann', count: 1, filter: { categories: ['C'] } },
        'NO_SEATS_AVAILABLE',
      );
    });
  });
});

describe('holdGa', () => {
  describe('given a general-admission floor of 10 places', () => {
    it('when a fan holds 3 places, then 7 are left and the area delta says so', () => {
      const s = fixtureState();
      const out = accept(s, { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'FLOOR', count: 3 });
      expect(out.value).toEqual({ holdId: 'h1', area: 'FLOOR', places: 3, expiresAt: T0 + CONFIG.holdTtlMs });
      expect(out.areas).toEqual([floor, 7]);
      expect(out.deltas).toEqual([]);
      expect(areaAvailable(s, floor)).toBe(7);
      expect(fanTickets(s, 'ann')).toBe(3);
    });

    it('when the last places are taken exactly, then the hold is accepted and the next one is GA_SOLD_OUT', () => {
      const s = fixtureState();
      accept(s, { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'FLOOR', count: 4 });
      accept(s, { type: 'holdGa', holdId: 'h2', fanId: 'bob', area: 'FLOOR', count: 4 });
      rejectWith(s, { type: 'holdGa', holdId: 'h3', fanId: 'cat', area: 'FLOOR', count: 3 }, 'GA_SOLD_OUT');
      accept(s, { type: 'holdGa', holdId: 'h3', fanId: 'cat', area: 'FLOOR', count: 2 });
      expect(areaAvailable(s, floor)).toBe(0);
      rejectWith(s, { type: 'holdGa', holdId: 'h4', fanId: 'dan', area: 'FLOOR', count: 1 }, 'GA_SOLD_OUT');
    });

    it('when the area is unknown, then UNKNOWN_AREA', () => {
      rejectWith(
        fixtureState(),
        { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'ROOF', count: 1 },
        'UNKNOWN_AREA',
      );
    });
    it("when the area's category has no price, then SEAT_UNAVAILABLE", () => {
      rejectWith(
        fixtureState(),
        { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'VIP', count: 1 },
        'SEAT_UNAVAILABLE',
      );
    });
    it('when the sale is closed, then SALE_NOT_OPEN', () => {
      const s = fixtureState();
      accept(s, { type: 'setSale', status: 'closed' });
      rejectWith(s, { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'FLOOR', count: 1 }, 'SALE_NOT_OPEN');
    });
    it('when the hold id is live, then HOLD_EXISTS', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      rejectWith(s, { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'FLOOR', count: 1 }, 'HOLD_EXISTS');
    });
    it('when more places than maxPerOrder are asked for, then LIMIT_PER_ORDER', () => {
      rejectWith(
        fixtureState(),
        { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'FLOOR', count: 5 },
        'LIMIT_PER_ORDER',
      );
    });
    it('when seats and places together would pass maxPerFan, then LIMIT_PER_FAN', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1, 2] });
      rejectWith(s, { type: 'holdGa', holdId: 'h2', fanId: 'ann', area: 'FLOOR', count: 4 }, 'LIMIT_PER_FAN');
      accept(s, { type: 'holdGa', holdId: 'h2', fanId: 'ann', area: 'FLOOR', count: 3 });
    });
  });
});

describe('extendHold', () => {
  describe('given a live hold made at T0 (ttl 1 s, life at most 3 s)', () => {
    it('when its holder extends it by 500 ms, then it expires 500 ms later', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      const out = accept(s, { type: 'extendHold', holdId: 'h1', fanId: 'ann', byMs: 500 }, T0 + 100);
      expect(out.value).toEqual({ holdId: 'h1', expiresAt: T0 + 1500 });
      expect(s.holds.get('h1')?.expiresAt).toBe(T0 + 1500);
      expect(nextExpiry(s)).toBe(T0 + 1500);
    });

    it('when extended past maxHoldMs, then it is capped at createdAt + maxHoldMs, and a further extend is HOLD_EXTEND_LIMIT', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      const out = accept(s, { type: 'extendHold', holdId: 'h1', fanId: 'ann', byMs: 60_000 }, T0 + 500);
      expect(out.value.expiresAt).toBe(T0 + CONFIG.maxHoldMs);
      rejectWith(
        s,
        { type: 'extendHold', holdId: 'h1', fanId: 'ann', byMs: 1 },
        'HOLD_EXTEND_LIMIT',
        T0 + 600,
      );
    });

    it('when an extension moves the earliest deadline, then the expiry order follows it', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, T0);
      accept(s, { type: 'hold', holdId: 'h2', fanId: 'bob', seats: [1] }, T0 + 200);
      accept(s, { type: 'extendHold', holdId: 'h1', fanId: 'ann', byMs: 1000 }, T0 + 300);
      expect(nextExpiry(s)).toBe(T0 + 1200);
      const out = accept(s, { type: 'expire' }, T0 + 1200);
      expect(out.value).toEqual({ expired: ['h2'] });
      expect(s.holds.has('h1')).toBe(true);
    });

    it('when the hold does not exist, then HOLD_NOT_FOUND', () => {
      rejectWith(
        fixtureState(),
        { type: 'extendHold', holdId: 'nope', fanId: 'ann', byMs: 100 },
        'HOLD_NOT_FOUND',
      );
    });
    it('when another fan extends it, then NOT_HOLDER', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      rejectWith(s, { type: 'extendHold', holdId: 'h1', fanId: 'bob', byMs: 100 }, 'NOT_HOLDER');
    });
    it('when its deadline has passed (even before an expire ran), then HOLD_EXPIRED', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      rejectWith(
        s,
        { type: 'extendHold', holdId: 'h1', fanId: 'ann', byMs: 100 },
        'HOLD_EXPIRED',
        T0 + CONFIG.holdTtlMs,
      );
    });
  });
});

describe('release', () => {
  describe('given a live hold of two seats and one of GA places', () => {
    it('when the holder releases the seats, then they are AVAILABLE again and the fan holds nothing', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] });
      const out = accept(s, { type: 'release', holdId: 'h1', fanId: 'ann' });
      expect(out.value).toEqual({ holdId: 'h1', released: 2 });
      expect(out.deltas).toEqual([0, AVAILABLE, 1, AVAILABLE]);
      expect(s.status[0]).toBe(AVAILABLE);
      expect(s.holder[0]).toBe(0);
      expect(s.holds.size).toBe(0);
      expect(fanTickets(s, 'ann')).toBe(0);
      expect(nextExpiry(s)).toBe(Number.POSITIVE_INFINITY);
      expect(s.statusCounts[AVAILABLE]).toBe(PRICED_SEATS);
    });
    it('when the holder releases GA places, then they return to the area', () => {
      const s = fixtureState();
      accept(s, { type: 'holdGa', holdId: 'g1', fanId: 'ann', area: 'FLOOR', count: 4 });
      const out = accept(s, { type: 'release', holdId: 'g1', fanId: 'ann' });
      expect(out.areas).toEqual([floor, 10]);
      expect(areaAvailable(s, floor)).toBe(10);
    });
    it('when the hold has expired but no expire ran yet, then its holder may still release it', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      accept(s, { type: 'release', holdId: 'h1', fanId: 'ann' }, T0 + 5000);
    });
    it('when the hold does not exist, then HOLD_NOT_FOUND', () => {
      rejectWith(fixtureState(), { type: 'release', holdId: 'h1', fanId: 'ann' }, 'HOLD_NOT_FOUND');
    });
    it('when another fan releases it, then NOT_HOLDER and the seats stay held', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      rejectWith(s, { type: 'release', holdId: 'h1', fanId: 'bob' }, 'NOT_HOLDER');
      expect(s.status[0]).toBe(HELD);
    });
  });
});

describe('expire', () => {
  describe('given holds with different deadlines', () => {
    it('when time reaches the first deadline, then only the holds due are dropped', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, T0);
      accept(s, { type: 'holdGa', holdId: 'g1', fanId: 'bob', area: 'FLOOR', count: 2 }, T0 + 10);
      accept(s, { type: 'hold', holdId: 'h2', fanId: 'cat', seats: [1] }, T0 + 500);
      const out = accept(s, { type: 'expire' }, T0 + 1010);
      expect(out.value).toEqual({ expired: ['h1', 'g1'] });
      expect(out.deltas).toEqual([0, AVAILABLE]);
      expect(out.areas).toEqual([floor, 10]);
      expect(s.status[0]).toBe(AVAILABLE);
      expect(s.status[1]).toBe(HELD);
      expect(fanTickets(s, 'ann')).toBe(0);
      expect(fanTickets(s, 'bob')).toBe(0);
      for (const h of s.holds.values()) expect(h.expiresAt).toBeGreaterThan(T0 + 1010);
      expect(nextExpiry(s)).toBe(T0 + 1500);
    });
    it('when a deadline equals now, then that hold is due', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, T0);
      accept(s, { type: 'expire' }, T0 + CONFIG.holdTtlMs);
      expect(s.holds.size).toBe(0);
    });
    it('when nothing is due yet, then NOTHING_DUE', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, T0);
      rejectWith(s, { type: 'expire' }, 'NOTHING_DUE', T0 + CONFIG.holdTtlMs - 1);
    });
    it('when there are no holds at all, then NOTHING_DUE', () => {
      rejectWith(fixtureState(), { type: 'expire' }, 'NOTHING_DUE');
    });
    it('when a booked hold would have been due, then the booking is untouched', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, T0);
      accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }, T0 + 10);
      rejectWith(s, { type: 'expire' }, 'NOTHING_DUE', T0 + 10_000);
      expect(s.status[0]).toBe(BOOKED);
    });
  });
});

describe('apply', () => {
  it('given any accepted command, when applied, then the version rises by exactly one', () => {
    const s = fixtureState();
    const v: number[] = [s.version];
    apply(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, T0);
    v.push(s.version);
    apply(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [1] }, T0); // rejected
    v.push(s.version);
    apply(s, { type: 'release', holdId: 'h1', fanId: 'ann' }, T0);
    v.push(s.version);
    expect(v).toEqual([0, 1, 1, 2]);
  });
});
