import { describe, expect, it } from 'vitest';
import type { OperatorStats } from '../../client/sdk/operator.ts';
import { addStats, emptyLive, perMinute } from '../../client/web/console/series.ts';
import { verdictOf } from '../../client/web/scan/verdict.ts';

// The dashboard's chart columns from its stats messages, and the gate's verdicts. Pure.

const stats = (at: number, booked: number, held = 0): OperatorStats => ({
  e: 'gig',
  at,
  version: 1,
  sale: 'open',
  // Cast: the status names grow (resale); these tests read booked and held only.
  seats: {
    available: 100 - booked - held,
    held,
    booked,
    blocked: 0,
    notForSale: 0,
  } as OperatorStats['seats'],
  areas: [],
  sales: { currency: 'EUR', orders: 0, tickets: booked, revenue: 0, refunded: 0, byMinute: [] },
  queue: null,
  holdMs: { count: 1, p50: 2, p99: 5, max: 5 },
  commitMs: { count: 0, p50: null, p99: null, max: null },
});

describe('dashboard series', () => {
  it('given stats one second apart, then each is a point, in seconds, and the oldest go past `keep`', () => {
    let live = emptyLive();
    for (let i = 0; i < 5; i++) live = addStats(live, stats(1_000_000 + i * 1000, i), 3);
    expect(live.t).toEqual([1002, 1003, 1004]);
    expect(live.booked).toEqual([2, 3, 4]);
    expect(live.holdP99).toEqual([5, 5, 5]);
    expect(live.commitP99).toEqual([null, null, null]);
  });

  it('given a message no newer than the last, then nothing is added', () => {
    const live = addStats(emptyLive(), stats(5000, 1));
    expect(addStats(live, stats(5000, 2))).toBe(live);
  });

  it('given sales in two minutes with a quiet one between, then the quiet minute is a zero and revenue adds up', () => {
    const t0 = Date.parse('2026-12-02T08:00:00Z');
    const byMinute = [
      { minute: '2026-12-02T08:00:00.000Z', orders: 1, tickets: 2, revenue: 5000 },
      { minute: '2026-12-02T08:02:00.000Z', orders: 1, tickets: 1, revenue: 2500 },
    ];
    const m = perMinute(byMinute, t0 + 3 * 60_000 + 10_000, 60, 0);
    expect(m.t).toEqual([0, 1, 2, 3].map((i) => t0 / 1000 + i * 60));
    expect(m.tickets).toEqual([2, 0, 1, 0]);
    expect(m.revenue).toEqual([50, 0, 25, 0]);
    expect(m.cumulative).toEqual([50, 50, 75, 75]);
    // With nothing sold, or one sale, the axis still spans the last quarter of an hour.
    expect(perMinute([], t0).t.length).toBe(15);
    expect(perMinute([], t0).tickets.every((x) => x === 0)).toBe(true);
    const one = perMinute(byMinute.slice(0, 1), t0 + 10_000);
    expect(one.t.length).toBe(15);
    expect(one.tickets.at(-1)).toBe(2);
  });

  it('given sales older than the window, then only the last `minutes` are shown', () => {
    const t0 = Date.parse('2026-12-02T08:00:00Z');
    const m = perMinute(
      [{ minute: '2026-12-02T08:00:00.000Z', orders: 1, tickets: 1, revenue: 100 }],
      t0 + 120 * 60_000,
      60,
    );
    expect(m.t.length).toBe(60);
    expect(m.tickets.every((x) => x === 0)).toBe(true);
  });
});

describe('gate verdicts', () => {
  const fmt = (iso: string) => `at ${iso}`;
  it('given an admitted scan, then it is valid with its seat and gate', () => {
    const v = verdictOf(
      {
        ok: true,
        scan: {
          ticketId: 't',
          eventId: 'gig',
          seat: 'A 12',
          gate: 'North',
          direction: 'in',
          scannedAt: '2026-12-02T08:00:00Z',
          entries: 1,
        },
      },
      fmt,
    );
    expect(v).toEqual({ tone: 'valid', headline: 'Valid: admit', lines: ['Seat A 12', 'Gate North'] });
  });

  it('given ALREADY_USED, then it says when and where it was first used', () => {
    const v = verdictOf(
      {
        ok: false,
        status: 409,
        code: 'ALREADY_USED',
        message: 'used',
        firstUsedAt: '2026-12-02T08:00:00Z',
        firstGate: 'North',
      },
      fmt,
    );
    expect(v.tone).toBe('used');
    expect(v.lines).toEqual(['First used at 2026-12-02T08:00:00Z', 'at gate North']);
  });

  it('given a forged or unknown code, then it is invalid with the reason in words', () => {
    const forged = verdictOf({ ok: false, status: 422, code: 'SCAN_BAD_SIGNATURE', message: 'x' }, fmt);
    expect(forged).toMatchObject({ tone: 'invalid', lines: [expect.stringMatching(/Forged/)] });
    const other = verdictOf(
      { ok: false, status: 400, code: 'SOMETHING_NEW', message: 'the server says why' },
      fmt,
    );
    expect(other.lines).toEqual(['the server says why']);
  });
});
