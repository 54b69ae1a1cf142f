import { describe, expect, it } from 'vitest';
import {
  type Chart,
  ChartError,
  compileChart,
  SEAT_ACCESSIBLE,
  SEAT_COMPANION,
  SEAT_RESTRICTED_VIEW,
  seatLabel,
} from '../../src/domain/chart.ts';
import { defaultPrices, generateChart, type VenueKind } from '../../src/domain/chart-generator.ts';
import { createState, seatStateBytes } from '../../src/domain/state.ts';
import { fixtureChart, fixtureLayout, SEAT, SEAT_COUNT } from '../support/fixture.ts';

function compileError(chart: Chart): ChartError {
  try {
    compileChart(chart);
  } catch (e) {
    expect(e).toBeInstanceOf(ChartError);
    return e as ChartError;
  }
  throw new Error('expected compileChart to throw');
}

describe('compileChart', () => {
  describe('given the fixture chart', () => {
    const layout = fixtureLayout();

    it('when compiled, then seats are numbered in section, row, seat order', () => {
      expect(layout.seatCount).toBe(SEAT_COUNT);
      expect(layout.rowCount).toBe(5);
      expect(layout.seatIds[0]).toBe('S1-A-1');
      expect(layout.seatIds[6]).toBe('S1-B-1');
      expect(layout.seatIds[16]).toBe('S2-A-1');
      expect(layout.seatIndex.get('S2-B-3')).toBe(23);
      expect(Array.from(layout.rowStart)).toEqual([0, 6, 12, 16, 21]);
      expect(Array.from(layout.rowLength)).toEqual([6, 6, 4, 5, 3]);
      expect(Array.from(layout.rowSection)).toEqual([0, 0, 0, 1, 1]);
      expect(layout.seatRow[13]).toBe(2);
    });

    it('when compiled, then flags, categories and GA areas are carried over', () => {
      expect(layout.seatFlags[SEAT.ACCESSIBLE]).toBe(SEAT_ACCESSIBLE);
      expect(layout.seatFlags[SEAT.COMPANION]).toBe(SEAT_COMPANION);
      expect(layout.seatFlags[0]).toBe(0);
      expect(layout.seatCategory[0]).toBe(layout.categoryIndex.get('A'));
      expect(layout.seatCategory[21]).toBe(layout.categoryIndex.get('C'));
      expect(layout.areas).toEqual([
        { id: 'FLOOR', name: 'Floor', category: 1, capacity: 10 },
        { id: 'VIP', name: 'VIP pit', category: 2, capacity: 5 },
      ]);
      expect(layout.areaIndex.get('VIP')).toBe(1);
    });

    it('when compiled, then distances to the focal point rank the rows', () => {
      expect(layout.seatDist[2]).toBeCloseTo(Math.hypot(0.5, 2), 5);
      expect(Array.from(layout.rowsByDistance)).toEqual([0, 1, 2, 3, 4]);
      for (let r = 0; r < layout.rowCount; r++) {
        let min = Number.POSITIVE_INFINITY;
        for (let i = layout.rowStart[r]; i < layout.rowStart[r] + layout.rowLength[r]; i++)
          min = Math.min(min, layout.seatDist[i]);
        expect(layout.rowMinDist[r]).toBe(min);
      }
    });

    it('when a seat is labelled, then section, row and seat number are named', () => {
      expect(seatLabel(layout, 7)).toBe('Stalls, Row B, Seat 2');
    });
  });

  describe('given a broken chart', () => {
    it('when a seat id appears twice (even across sections), then CHART_DUPLICATE', () => {
      const c = fixtureChart();
      c.sections[1].rows[0].seats[0].id = 'S1-A-1';
      const e = compileError(c);
      expect(e.code).toBe('CHART_DUPLICATE');
      expect(e.message).toContain('S1-A-1');
    });
    it('when a seat names an unknown category, then CHART_UNKNOWN_CATEGORY', () => {
      const c = fixtureChart();
      c.sections[0].rows[1].seats[3].category = 'Z';
      const e = compileError(c);
      expect(e.code).toBe('CHART_UNKNOWN_CATEGORY');
      expect(e.message).toContain('S1-B-4');
    });
    it('when a GA area names an unknown category, then CHART_UNKNOWN_CATEGORY', () => {
      const c = fixtureChart();
      c.gaAreas[0].category = 'Z';
      expect(compileError(c).code).toBe('CHART_UNKNOWN_CATEGORY');
    });
    it('when a section, category or area id appears twice, then CHART_DUPLICATE', () => {
      const a = fixtureChart();
      a.sections[1].id = 'S1';
      expect(compileError(a).code).toBe('CHART_DUPLICATE');
      const b = fixtureChart();
      b.categories.push({ id: 'A', name: 'again' });
      expect(compileError(b).code).toBe('CHART_DUPLICATE');
      const c = fixtureChart();
      c.gaAreas[1].id = 'FLOOR';
      expect(compileError(c).code).toBe('CHART_DUPLICATE');
    });
    it('when there are no categories, then CHART_CATEGORIES', () => {
      const c = fixtureChart();
      c.categories = [];
      expect(compileError(c).code).toBe('CHART_CATEGORIES');
    });
    it('when a seat has no finite coordinates, then CHART_COORDINATES', () => {
      const c = fixtureChart();
      c.sections[0].rows[0].seats[0].x = Number.NaN;
      expect(compileError(c).code).toBe('CHART_COORDINATES');
    });
    it('when a GA capacity is negative or fractional, then CHART_CAPACITY', () => {
      const a = fixtureChart();
      a.gaAreas[0].capacity = -1;
      expect(compileError(a).code).toBe('CHART_CAPACITY');
      const b = fixtureChart();
      b.gaAreas[0].capacity = 2.5;
      expect(compileError(b).code).toBe('CHART_CAPACITY');
    });
  });
});

describe('generateChart', () => {
  const sizes: Record<VenueKind, { min: number; max: number; ga: boolean }> = {
    theatre: { min: 1_800, max: 2_200, ga: false },
    arena: { min: 15_000, max: 17_500, ga: true },
    stadium: { min: 80_000, max: 90_000, ga: true },
  };

  for (const kind of ['theatre', 'arena', 'stadium'] as const) {
    describe(`given the ${kind}`, () => {
      const chart = generateChart(kind);
      const layout = compileChart(chart);

      it(`when compiled, then it has ${sizes[kind].min.toLocaleString('en')}-${sizes[kind].max.toLocaleString('en')} seats${sizes[kind].ga ? ' and a GA floor' : ''}`, () => {
        expect(layout.seatCount).toBeGreaterThanOrEqual(sizes[kind].min);
        expect(layout.seatCount).toBeLessThanOrEqual(sizes[kind].max);
        if (sizes[kind].ga) {
          expect(layout.areas.length).toBeGreaterThan(0);
          for (const a of layout.areas) expect(a.capacity).toBeGreaterThan(0);
        } else {
          expect(layout.areas).toHaveLength(0);
        }
      });

      it('when generated twice, then the charts are identical', () => {
        expect(generateChart(kind)).toEqual(chart);
      });

      it('when inspected, then every wheelchair place has a companion seat beside it in its row', () => {
        let accessible = 0;
        for (let i = 0; i < layout.seatCount; i++) {
          if (!(layout.seatFlags[i] & SEAT_ACCESSIBLE)) continue;
          accessible++;
          const row = layout.seatRow[i];
          const near = [i - 1, i + 1].filter((j) => j >= 0 && layout.seatRow[j] === row);
          expect(near.some((j) => layout.seatFlags[j] & SEAT_COMPANION)).toBe(true);
        }
        expect(accessible).toBeGreaterThan(0);
      });

      it('when priced with defaultPrices, then every category has a positive price', () => {
        const prices = defaultPrices(chart);
        expect(Object.keys(prices).sort()).toEqual(chart.categories.map((c) => c.id).sort());
        for (const p of Object.values(prices)) expect(p).toBeGreaterThan(0);
        const s = createState(layout, prices);
        for (const p of s.prices) expect(p).toBeGreaterThan(0);
      });
    });
  }

  it('given the stadium, when its seat state is measured, then it fits in 2 MB', () => {
    const layout = compileChart(generateChart('stadium'));
    const bytes = seatStateBytes(createState(layout, {}));
    expect(bytes).toBeGreaterThanOrEqual(layout.seatCount * 9);
    expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('given the stadium, when inspected, then it has restricted-view seats and rows ranked by distance', () => {
    const layout = compileChart(generateChart('stadium'));
    let restricted = 0;
    for (let i = 0; i < layout.seatCount; i++) if (layout.seatFlags[i] & SEAT_RESTRICTED_VIEW) restricted++;
    expect(restricted).toBeGreaterThan(0);
    for (let k = 1; k < layout.rowCount; k++) {
      expect(layout.rowMinDist[layout.rowsByDistance[k]]).toBeGreaterThanOrEqual(
        layout.rowMinDist[layout.rowsByDistance[k - 1]],
      );
    }
  });
});
