import { describe, expect, it } from 'vitest';
import { formatRemaining, isUrgent, spokenRemaining } from '../../client/web/pages/event/countdown.ts';
import {
  MAX_PICK,
  pruneSelection,
  selectionTotal,
  toggleSeat,
} from '../../client/web/pages/event/selection.ts';
import { buildChartModel } from '../../client/web/seat-map/chart-model.ts';
import { buildPalette, STATUS } from '../../client/web/seat-map/palette.ts';
import { small as chart } from './seat-chart-fixture.ts';

// The event page's pure parts: a hold's countdown, and the seats a fan has picked.

describe('countdown', () => {
  it('shows minutes and seconds left, rounding up, and 0:00 once expired', () => {
    expect(formatRemaining(545_000, 0)).toBe('9:05');
    expect(formatRemaining(1_001, 0)).toBe('0:02');
    expect(formatRemaining(0, 5_000)).toBe('0:00');
  });

  it('says it in words for screen readers', () => {
    expect(spokenRemaining(545_000, 0)).toBe('9 minutes 5 seconds');
    expect(spokenRemaining(60_000, 0)).toBe('1 minute');
    expect(spokenRemaining(1_000, 0)).toBe('1 second');
    expect(spokenRemaining(0, 1)).toBe('no time');
  });

  it('is urgent under two minutes', () => {
    expect(isUrgent(119_000, 0)).toBe(true);
    expect(isUrgent(121_000, 0)).toBe(false);
  });
});

describe('selection', () => {
  it('toggles seats in and out, up to the limit, saying why not beyond it', () => {
    let s: ReadonlySet<string> = new Set();
    const a = toggleSeat(s, 'A-1-1');
    expect(a.ok && [...a.selection]).toEqual(['A-1-1']);
    s = a.ok ? a.selection : s;
    const b = toggleSeat(s, 'A-1-1');
    expect(b.ok && b.selection.size).toBe(0);
    const full = new Set(Array.from({ length: MAX_PICK }, (_, i) => `x${i}`));
    const c = toggleSeat(full, 'A-1-2');
    expect(c).toEqual({ ok: false, reason: `You can pick at most ${MAX_PICK} seats at once.` });
  });

  it('drops picked seats that are no longer available, naming them, and keeps the same set when none went', () => {
    const m = buildChartModel(chart);
    const picked = new Set(['A-1-1', 'A-1-2']);
    const status = Uint8Array.from([STATUS.available, STATUS.held, 0, 0, 0, 0]);
    const r = pruneSelection(picked, m, status);
    expect([...r.selection]).toEqual(['A-1-1']);
    expect(r.lost).toEqual(['A-1-2']);
    const same = pruneSelection(r.selection, m, status);
    expect(same.selection).toBe(r.selection);
    expect(pruneSelection(new Set(['nope']), m, status).lost).toEqual(['nope']);
  });

  it('totals the picked seats at their tiers’ prices', () => {
    const m = buildChartModel(chart);
    const p = buildPalette(m.categories, [
      { category: 'P1', name: 'Premium', price: 5000 },
      { category: 'P2', name: 'Stalls', price: 2500 },
    ]);
    expect(selectionTotal(new Set(['A-1-1', 'A-2-1']), m, p.categoryPrice)).toBe(7500);
  });
});
