import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/domain/commands.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';

describe('parseCommand', () => {
  describe('given well-formed input', () => {
    const good: unknown[] = [
      { type: 'hold', holdId: 'h', fanId: 'f', seats: [0, 1] },
      { type: 'holdBest', holdId: 'h', fanId: 'f', count: 2 },
      {
        type: 'holdBest',
        holdId: 'h',
        fanId: 'f',
        count: 2,
        filter: { categories: ['A'], sections: ['S1'], minPrice: 0, maxPrice: 9000, accessible: true },
      },
      { type: 'holdGa', holdId: 'h', fanId: 'f', area: 'FLOOR', count: 3 },
      { type: 'extendHold', holdId: 'h', fanId: 'f', byMs: 1000 },
      { type: 'release', holdId: 'h', fanId: 'f' },
      { type: 'expire' },
      { type: 'book', holdId: 'h', fanId: 'f', orderId: 'o' },
      { type: 'cancelBooking', orderId: 'o' },
      { type: 'cancelBooking', orderId: 'o', seats: [3] },
      { type: 'transfer', orderId: 'o', fromFanId: 'a', toFanId: 'b' },
      { type: 'block', seats: [1] },
      { type: 'unblock', seats: [1] },
      { type: 'setForSale', seats: [1], forSale: false },
      { type: 'setSale', status: 'paused' },
    ];
    it('when every command type is parsed, then each is accepted unchanged', () => {
      for (const input of good) {
        const r = parseCommand(input);
        expect(r.ok, JSON.stringify(input)).toBe(true);
        if (r.ok) expect(r.command).toEqual(input);
      }
    });
  });

  describe('given malformed input', () => {
    const bad: [string, unknown][] = [
      ['not an object', 'hold'],
      ['null', null],
      ['an unknown type', { type: 'steal', seats: [1] }],
      ['no type', { holdId: 'h', fanId: 'f', seats: [1] }],
      ['seats as strings', { type: 'hold', holdId: 'h', fanId: 'f', seats: ['A-1'] }],
      ['a fractional seat', { type: 'hold', holdId: 'h', fanId: 'f', seats: [1.5] }],
      ['a negative seat', { type: 'hold', holdId: 'h', fanId: 'f', seats: [-1] }],
      ['no seats', { type: 'hold', holdId: 'h', fanId: 'f', seats: [] }],
      ['too many seats', { type: 'block', seats: Array.from({ length: 1001 }, (_, i) => i) }],
      ['an empty hold id', { type: 'hold', holdId: '', fanId: 'f', seats: [1] }],
      ['an over-long fan id', { type: 'hold', holdId: 'h', fanId: 'x'.repeat(129), seats: [1] }],
      ['a numeric fan id', { type: 'release', holdId: 'h', fanId: 7 }],
      ['an extra field', { type: 'hold', holdId: 'h', fanId: 'f', seats: [1], price: 0 }],
      ['an extra field on expire', { type: 'expire', now: 5 }],
      [
        'an extra filter field',
        { type: 'holdBest', holdId: 'h', fanId: 'f', count: 1, filter: { cheap: true } },
      ],
      ['count zero', { type: 'holdBest', holdId: 'h', fanId: 'f', count: 0 }],
      ['count over 100', { type: 'holdGa', holdId: 'h', fanId: 'f', area: 'A', count: 101 }],
      ['byMs as a string', { type: 'extendHold', holdId: 'h', fanId: 'f', byMs: '100' }],
      ['byMs over a day', { type: 'extendHold', holdId: 'h', fanId: 'f', byMs: 86_400_001 }],
      ['forSale missing', { type: 'setForSale', seats: [1] }],
      ['an unknown sale status', { type: 'setSale', status: 'sold' }],
      ['a missing order id', { type: 'book', holdId: 'h', fanId: 'f' }],
    ];
    for (const [what, input] of bad) {
      it(`when it has ${what}, then INVALID_COMMAND`, () => {
        const r = parseCommand(input);
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.code).toBe('INVALID_COMMAND');
          expect(r.error.message.length).toBeGreaterThan(0);
        }
      });
    }
  });

  it('given the error codes, when listed, then each is unique and INVALID_COMMAND and UNAVAILABLE are among them', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(ERROR_CODES).toContain('INVALID_COMMAND');
    expect(ERROR_CODES).toContain('UNAVAILABLE');
  });
});
