import { describe, expect, it } from 'vitest';
import { compileChart } from '../../src/domain/chart.ts';
import { defaultPrices, generateChart } from '../../src/domain/chart-generator.ts';
import type { Command } from '../../src/domain/commands.ts';
import { nextExpiry } from '../../src/domain/holds.ts';
import { decodeState, encodeState } from '../../src/domain/snapshot.ts';
import { createState, type EventState, fanTickets } from '../../src/domain/state.ts';
import { accept, fixtureChart, fixtureLayout, fixtureState, T0 } from '../support/fixture.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** A state with every kind of record: holds (seat and GA), orders, transfers, blocks, a paused sale. */
function busyState(): EventState {
  const s = fixtureState();
  accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] }, T0);
  accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }, T0 + 1);
  accept(s, { type: 'holdGa', holdId: 'g1', fanId: 'ann', area: 'FLOOR', count: 2 }, T0 + 2);
  accept(s, { type: 'book', holdId: 'g1', fanId: 'ann', orderId: 'o1' }, T0 + 3);
  accept(s, { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'bob', seats: [1] }, T0 + 4);
  accept(s, { type: 'hold', holdId: 'h2', fanId: 'cat', seats: [6, 7] }, T0 + 5);
  accept(s, { type: 'holdGa', holdId: 'g2', fanId: 'dan', area: 'FLOOR', count: 3 }, T0 + 6);
  accept(s, { type: 'extendHold', holdId: 'h2', fanId: 'cat', byMs: 700 }, T0 + 7);
  accept(s, { type: 'block', seats: [20] }, T0 + 8);
  accept(s, { type: 'setForSale', seats: [19], forSale: false }, T0 + 9);
  accept(s, { type: 'setSale', status: 'paused' }, T0 + 10);
  return s;
}

describe('snapshot', () => {
  describe('given a state with holds, orders, a transfer, blocks and a paused sale', () => {
    it('when encoded twice, then the bytes are identical', () => {
      const s = busyState();
      expect(same(encodeState(s), encodeState(s))).toBe(true);
    });

    it('when built twice by the same commands, then both encode to the same bytes', () => {
      expect(same(encodeState(busyState()), encodeState(busyState()))).toBe(true);
    });

    it('when one more command is applied, then the bytes differ', () => {
      const s = busyState();
      const before = encodeState(s);
      accept(s, { type: 'unblock', seats: [20] }, T0 + 20);
      expect(same(before, encodeState(s))).toBe(false);
    });

    it('when decoded, then it re-encodes to the same bytes and the derived indexes are rebuilt', () => {
      const s = busyState();
      const bytes = encodeState(s);
      const d = decodeState(fixtureLayout(), bytes);
      expect(same(encodeState(d), bytes)).toBe(true);
      expect(d.version).toBe(s.version);
      expect(d.sale).toBe('paused');
      expect(Array.from(d.statusCounts)).toEqual(Array.from(s.statusCounts));
      expect(Array.from(d.rowAvailable)).toEqual(Array.from(s.rowAvailable));
      expect(Array.from(d.prices)).toEqual(Array.from(s.prices));
      for (const fan of ['ann', 'bob', 'cat', 'dan']) expect(fanTickets(d, fan)).toBe(fanTickets(s, fan));
      expect(fanTickets(d, 'ann')).toBe(3);
      expect(nextExpiry(d)).toBe(nextExpiry(s));
      expect(d.config).toEqual(s.config);
      expect([...d.orderIndex]).toEqual([...s.orderIndex]);
    });

    it('when the original and the decoded copy get the same further commands, then they stay byte-identical', () => {
      const s = busyState();
      const d = decodeState(fixtureLayout(), encodeState(s));
      const more: [Command, number][] = [
        [{ type: 'setSale', status: 'open' }, T0 + 20],
        [{ type: 'expire' }, T0 + 1006],
        [{ type: 'hold', holdId: 'h3', fanId: 'bob', seats: [2] }, T0 + 1010],
        [{ type: 'cancelBooking', orderId: 'o1' }, T0 + 1020],
        [{ type: 'expire' }, T0 + 5000],
      ];
      for (const [cmd, at] of more) {
        accept(s, cmd, at);
        accept(d, cmd, at);
        expect(same(encodeState(s), encodeState(d))).toBe(true);
      }
      expect(fanTickets(d, 'ann')).toBe(0);
      expect(d.holds.size).toBe(0);
    });

    it('when decoded against another chart, then it is refused', () => {
      const other = compileChart({ ...fixtureChart(), id: 'other' });
      expect(() => decodeState(other, encodeState(busyState()))).toThrow(/chart/);
    });
  });

  describe('given a stadium state', () => {
    it('when a few seats are held and the state is encoded, then the snapshot stays small and round-trips', () => {
      const chart = generateChart('stadium');
      const layout = compileChart(chart);
      const s = createState(layout, defaultPrices(chart));
      accept(s, { type: 'holdBest', holdId: 'h', fanId: 'f', count: 4 }, T0);
      const bytes = encodeState(s);
      expect(bytes.byteLength).toBeLessThan(2 * 1024 * 1024);
      expect(same(encodeState(decodeState(layout, bytes)), bytes)).toBe(true);
    });
  });
});
