import { describe, expect, it } from 'vitest';
import { AVAILABLE, BLOCKED, HELD, NOT_FOR_SALE } from '../../src/domain/seat-status.ts';
import { areaAvailable } from '../../src/domain/state.ts';
import { accept, fixtureState, PRICED_SEATS, rejectWith, SEAT, SEAT_COUNT } from '../support/fixture.ts';

describe('block', () => {
  describe('given available seats', () => {
    it('when an operator blocks them, then they are BLOCKED and counted so', () => {
      const s = fixtureState();
      const out = accept(s, { type: 'block', seats: [0, 1, 2] });
      expect(out.value).toEqual({ seats: 3 });
      expect(out.deltas).toEqual([0, BLOCKED, 1, BLOCKED, 2, BLOCKED]);
      expect(s.statusCounts[BLOCKED]).toBe(3);
      expect(s.statusCounts[AVAILABLE]).toBe(PRICED_SEATS - 3);
      expect(s.rowAvailable[0]).toBe(3);
    });
    it('when one of the seats is held, then SEAT_UNAVAILABLE and none is blocked', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [2] });
      rejectWith(s, { type: 'block', seats: [0, 1, 2] }, 'SEAT_UNAVAILABLE');
      expect(s.status[0]).toBe(AVAILABLE);
      expect(s.status[2]).toBe(HELD);
    });
    it('when a seat is already blocked, then SEAT_UNAVAILABLE', () => {
      const s = fixtureState();
      accept(s, { type: 'block', seats: [0] });
      rejectWith(s, { type: 'block', seats: [0] }, 'SEAT_UNAVAILABLE');
    });
    it('when a seat is unknown, then UNKNOWN_SEAT', () => {
      rejectWith(fixtureState(), { type: 'block', seats: [SEAT_COUNT] }, 'UNKNOWN_SEAT');
    });
    it('when a seat appears twice, then DUPLICATE_SEAT', () => {
      rejectWith(fixtureState(), { type: 'block', seats: [1, 1] }, 'DUPLICATE_SEAT');
    });
  });
});

describe('unblock', () => {
  describe('given blocked seats', () => {
    it('when an operator unblocks them, then they are AVAILABLE again', () => {
      const s = fixtureState();
      accept(s, { type: 'block', seats: [0, 1] });
      const out = accept(s, { type: 'unblock', seats: [1, 0] });
      expect(out.deltas).toEqual([1, AVAILABLE, 0, AVAILABLE]);
      expect(s.statusCounts[AVAILABLE]).toBe(PRICED_SEATS);
      expect(s.rowAvailable[0]).toBe(6);
    });
    it('when a seat is not blocked, then SEAT_UNAVAILABLE', () => {
      const s = fixtureState();
      accept(s, { type: 'block', seats: [0] });
      rejectWith(s, { type: 'unblock', seats: [0, 1] }, 'SEAT_UNAVAILABLE');
    });
    it('when a seat is unknown, then UNKNOWN_SEAT', () => {
      rejectWith(fixtureState(), { type: 'unblock', seats: [-3] }, 'UNKNOWN_SEAT');
    });
    it('when a seat appears twice, then DUPLICATE_SEAT', () => {
      const s = fixtureState();
      accept(s, { type: 'block', seats: [0] });
      rejectWith(s, { type: 'unblock', seats: [0, 0] }, 'DUPLICATE_SEAT');
    });
  });
});

describe('setForSale', () => {
  describe('given available and blocked seats', () => {
    it('when taken off sale, then both kinds become NOT_FOR_SALE', () => {
      const s = fixtureState();
      accept(s, { type: 'block', seats: [1] });
      accept(s, { type: 'setForSale', seats: [0, 1], forSale: false });
      expect(s.status[0]).toBe(NOT_FOR_SALE);
      expect(s.status[1]).toBe(NOT_FOR_SALE);
      expect(s.statusCounts[NOT_FOR_SALE]).toBe(2 + SEAT_COUNT - PRICED_SEATS);
      expect(s.statusCounts[BLOCKED]).toBe(0);
    });
    it('when put back on sale, then they are AVAILABLE', () => {
      const s = fixtureState();
      accept(s, { type: 'setForSale', seats: [0], forSale: false });
      accept(s, { type: 'setForSale', seats: [0], forSale: true });
      expect(s.status[0]).toBe(AVAILABLE);
      expect(s.rowAvailable[0]).toBe(6);
    });
    it('when a held seat is taken off sale, then SEAT_UNAVAILABLE', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      rejectWith(s, { type: 'setForSale', seats: [0], forSale: false }, 'SEAT_UNAVAILABLE');
    });
    it('when a seat that is on sale is put on sale, then SEAT_UNAVAILABLE', () => {
      rejectWith(fixtureState(), { type: 'setForSale', seats: [0], forSale: true }, 'SEAT_UNAVAILABLE');
    });
    it('when a seat is unknown, then UNKNOWN_SEAT', () => {
      rejectWith(
        fixtureState(),
        { type: 'setForSale', seats: [SEAT_COUNT + 5], forSale: false },
        'UNKNOWN_SEAT',
      );
    });
    it('when a seat appears twice, then DUPLICATE_SEAT', () => {
      rejectWith(fixtureState(), { type: 'setForSale', seats: [2, 2], forSale: false }, 'DUPLICATE_SEAT');
    });
  });
});

describe('setSale', () => {
  describe('given an open sale', () => {
    it('when paused, closed and reopened, then the sale status follows', () => {
      const s = fixtureState();
      expect(s.sale).toBe('open');
      expect(accept(s, { type: 'setSale', status: 'paused' }).value).toEqual({ sale: 'paused' });
      expect(s.sale).toBe('paused');
      accept(s, { type: 'setSale', status: 'closed' });
      accept(s, { type: 'setSale', status: 'open' });
      expect(s.sale).toBe('open');
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
    });
    it('when set to the status it already has, then INVALID_COMMAND', () => {
      rejectWith(fixtureState(), { type: 'setSale', status: 'open' }, 'INVALID_COMMAND');
    });
    it('when paused, then a live hold may still be booked', () => {
      const s = fixtureState();
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
      accept(s, { type: 'setSale', status: 'paused' });
      accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' });
    });
  });
});

describe('presale', () => {
  describe('given a sale in its presale phase', () => {
    it('when a fan without presale access holds, then PRESALE_ONLY; with it, the hold is taken', () => {
      const s = fixtureState();
      accept(s, { type: 'setSale', status: 'presale' });
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }, 'PRESALE_ONLY');
      rejectWith(s, { type: 'holdBest', holdId: 'h1', fanId: 'ann', count: 2 }, 'PRESALE_ONLY');
      rejectWith(s, { type: 'holdGa', holdId: 'h1', fanId: 'ann', area: 'FLOOR', count: 2 }, 'PRESALE_ONLY');
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0], presale: true });
      accept(s, { type: 'holdGa', holdId: 'g1', fanId: 'ann', area: 'FLOOR', count: 2, presale: true });
      expect(s.status[0]).toBe(HELD);
    });
    it('when the sale is paused or closed, then presale access does not help: SALE_NOT_OPEN', () => {
      const s = fixtureState();
      accept(s, { type: 'setSale', status: 'paused' });
      rejectWith(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0], presale: true }, 'SALE_NOT_OPEN');
    });
  });
});

describe('setPrices', () => {
  describe('given the fixture prices (A and B priced, C not)', () => {
    it('when C is priced, then its free seats become AVAILABLE and its GA area opens; when A is unpriced, its free seats go NOT_FOR_SALE but held ones stay held', () => {
      const s = fixtureState();
      expect(SEAT.UNPRICED.map((x) => s.status[x])).toEqual([NOT_FOR_SALE, NOT_FOR_SALE, NOT_FOR_SALE]);
      expect(areaAvailable(s, s.layout.areaIndex.get('VIP')!)).toBe(0);
      const out = accept(s, { type: 'setPrices', prices: { A: 5000, B: 3000, C: 1000 } });
      expect(out.deltas).toEqual([21, AVAILABLE, 22, AVAILABLE, 23, AVAILABLE]);
      expect(out.areas).toEqual([s.layout.areaIndex.get('VIP')!, 5]);
      accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [21, 0] });
      accept(s, { type: 'setPrices', prices: { B: 3000, C: 1000 } });
      expect(s.status[0]).toBe(HELD);
      expect(s.status[1]).toBe(NOT_FOR_SALE);
      expect(s.statusCounts[AVAILABLE]).toBe(PRICED_SEATS + 3 - 12 - 1);
      // A seat freed from a hold goes back to what its price says.
      accept(s, { type: 'release', holdId: 'h1', fanId: 'ann' });
      expect(s.status[0]).toBe(NOT_FOR_SALE);
      expect(s.status[21]).toBe(AVAILABLE);
    });
    it('when the prices are unchanged, then INVALID_COMMAND; a category the chart lacks is UNKNOWN_CATEGORY', () => {
      rejectWith(fixtureState(), { type: 'setPrices', prices: { B: 3000, A: 5000 } }, 'INVALID_COMMAND');
      rejectWith(fixtureState(), { type: 'setPrices', prices: { A: 1, Z: 1 } }, 'UNKNOWN_CATEGORY');
    });
    it('when a withdrawn seat is priced again, then it stays NOT_FOR_SALE until returned', () => {
      const s = fixtureState();
      accept(s, { type: 'setForSale', seats: [0, 21], forSale: false });
      accept(s, { type: 'setPrices', prices: { A: 5000, B: 3000, C: 1000 } });
      expect([s.status[0], s.status[21], s.status[22]]).toEqual([NOT_FOR_SALE, NOT_FOR_SALE, AVAILABLE]);
      accept(s, { type: 'setForSale', seats: [21], forSale: true });
      expect(s.status[21]).toBe(AVAILABLE);
    });
    it('when an unpriced seat is returned without having been withdrawn, then SEAT_UNAVAILABLE; it may be withdrawn ahead of its price', () => {
      const s = fixtureState();
      rejectWith(s, { type: 'setForSale', seats: [21], forSale: true }, 'SEAT_UNAVAILABLE');
      accept(s, { type: 'setForSale', seats: [21], forSale: false });
      rejectWith(s, { type: 'setForSale', seats: [21], forSale: false }, 'SEAT_UNAVAILABLE');
      accept(s, { type: 'setForSale', seats: [21], forSale: true });
      expect(s.status[21]).toBe(NOT_FOR_SALE); // back in the inventory, still unpriced
    });
  });
});
