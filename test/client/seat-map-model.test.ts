import { describe, expect, it } from 'vitest';
import {
  availableRows,
  recountSections,
  sectionAvailability,
} from '../../client/web/seat-map/availability.ts';
import { buildChartModel, FLAG_ACCESSIBLE, FLAG_RESTRICTED } from '../../client/web/seat-map/chart-model.ts';
import { areaAt, sectionAt } from '../../client/web/seat-map/hit-test.ts';
import { buildPalette, STATUS } from '../../client/web/seat-map/palette.ts';
import { describeSeat, seatInfo } from '../../client/web/seat-map/seat-info.ts';
import { buildGrid, forEachInRect, nearestSeat } from '../../client/web/seat-map/spatial-grid.ts';
import type { Chart } from '../../src/domain/chart.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';
import { small } from './seat-chart-fixture.ts';

// The seat map's model of a chart: seat numbers as the socket numbers them, outlines, the
// grid that finds seats under the pointer, availability counts kept from deltas.

describe('buildChartModel', () => {
  it('numbers seats in sections → rows → seats order, with their section, row, category and flags', () => {
    const m = buildChartModel(small);
    expect(m.seatCount).toBe(6);
    expect(m.seatIds).toEqual(['A-1-1', 'A-1-2', 'A-1-3', 'A-2-1', 'A-2-2', 'B-1-1']);
    expect(m.seatIndex.get('B-1-1')).toBe(5);
    expect([...m.section]).toEqual([0, 0, 0, 0, 0, 1]);
    expect(m.rows.map((r) => [r.section, r.label, r.first, r.end])).toEqual([
      [0, '1', 0, 3],
      [0, '2', 3, 5],
      [1, '1', 5, 6],
    ]);
    expect([...m.category]).toEqual([0, 0, 0, 1, 1, 1]);
    expect(m.flags[0] & FLAG_ACCESSIBLE).toBeTruthy();
    expect(m.flags[3] & FLAG_RESTRICTED).toBeTruthy();
    expect(m.pitch).toBeCloseTo(1);
  });

  it('outlines a section down its first seats, across its last row, up its last seats and across its first row', () => {
    const m = buildChartModel(small);
    expect(m.sections[0].outline).toEqual([-1, 5, -1, 6, 0, 6, 1, 5, 0, 5]);
    expect(m.sections[0].bounds).toEqual({ minX: -1, minY: 5, maxX: 1, maxY: 6 });
  });

  it('sizes the stage and the standing area so neither reaches a seat, and bounds everything', () => {
    const m = buildChartModel(small);
    const floor = m.areas[0];
    expect(floor.half).toBeGreaterThan(0);
    expect(floor.y + floor.half).toBeLessThan(5);
    expect(m.stage.maxY).toBeLessThan(floor.y - floor.half);
    expect(m.bounds.minX).toBeLessThan(-1);
    expect(m.bounds.maxX).toBeGreaterThan(10);
  });

  it('refuses what is not a chart, saying what is missing', () => {
    expect(() => buildChartModel({} as Chart)).toThrow(/sections and categories/);
    expect(() => buildChartModel({ ...small, sections: [], gaAreas: [] })).toThrow(/no seats and no areas/);
  });

  it('models the 81,450-seat stadium in well under a second', () => {
    const chart = generateChart('stadium', 'demo');
    const t = performance.now();
    const m = buildChartModel(chart);
    const ms = performance.now() - t;
    expect(m.seatCount).toBe(81_450);
    expect(m.areas.map((a) => a.capacity)).toEqual([6000, 6000]);
    expect(m.sections).toHaveLength(90);
    expect(ms).toBeLessThan(1000);
  });
});

describe('the seat grid', () => {
  it('finds the nearest seat within a radius and nothing beyond it', () => {
    const m = buildChartModel(small);
    const g = buildGrid(m.x, m.y, m.bounds, 2);
    expect(nearestSeat(g, m.x, m.y, 0.1, 5.2, 0.5)).toBe(1);
    expect(nearestSeat(g, m.x, m.y, 9.8, 5, 0.5)).toBe(5);
    expect(nearestSeat(g, m.x, m.y, 5, 5, 0.5)).toBe(-1);
  });

  it('lists every seat of a rectangle once (and the stadium by cells, not by scanning)', () => {
    const chart = generateChart('stadium');
    const m = buildChartModel(chart);
    const g = buildGrid(m.x, m.y, m.bounds, m.pitch * 4);
    const seen = new Set<number>();
    let calls = 0;
    forEachInRect(g, { minX: -10, minY: 60, maxX: 10, maxY: 70 }, (s) => {
      calls++;
      seen.add(s);
    });
    expect(calls).toBe(seen.size);
    let inside = 0;
    for (let i = 0; i < m.seatCount; i++)
      if (m.x[i] >= -10 && m.x[i] <= 10 && m.y[i] >= 60 && m.y[i] <= 70) inside++;
    expect(inside).toBeGreaterThan(100);
    for (let i = 0; i < m.seatCount; i++) {
      if (m.x[i] >= -10 && m.x[i] <= 10 && m.y[i] >= 60 && m.y[i] <= 70) expect(seen.has(i)).toBe(true);
    }
    expect(seen.size).toBeLessThan(inside * 3);
  });
});

describe('hit tests', () => {
  it('finds the section whose outline holds a point, and the standing area', () => {
    const m = buildChartModel(small);
    expect(sectionAt(m, 0, 5.5)).toBe(0);
    expect(sectionAt(m, 10, 5)).toBe(1);
    expect(sectionAt(m, 5, 5.5)).toBe(-1);
    expect(areaAt(m, 0, 2.5)).toBe(0);
    expect(areaAt(m, 0, 5.5)).toBe(-1);
  });
});

describe('availability', () => {
  it('counts available seats per section and recounts only the sections a delta touched', () => {
    const m = buildChartModel(small);
    const status = new Uint8Array(6);
    const counts = sectionAvailability(m, status);
    expect([...counts]).toEqual([5, 1]);
    status[1] = STATUS.held;
    status[5] = STATUS.booked;
    expect(recountSections(m, status, counts, [1]).sort()).toEqual([0]);
    expect([...counts]).toEqual([4, 1]);
    recountSections(m, status, counts, [5]);
    expect([...counts]).toEqual([4, 0]);
  });

  it('lists a section’s available seats by row, leaving out full rows', () => {
    const m = buildChartModel(small);
    const status = Uint8Array.from([0, 1, 0, 2, 2, 0]);
    expect(availableRows(m, status, 0)).toEqual([{ label: '1', seats: [0, 2] }]);
    expect(availableRows(m, status, 1)).toEqual([{ label: '1', seats: [5] }]);
  });
});

describe('seat info', () => {
  it('says section, row, seat, price, status and attributes', () => {
    const m = buildChartModel(small);
    const p = buildPalette(m.categories, [
      { category: 'P1', name: 'Premium', price: 24900 },
      { category: 'P2', name: 'Stalls', price: 5000 },
    ]);
    const status = Uint8Array.from([0, 1, 0, 5, 0, 0]);
    const s = seatInfo(m, p, status, 0, false);
    expect(s).toMatchObject({
      id: 'A-1-1',
      section: 'Section A',
      row: '1',
      number: '1',
      price: 24900,
      pickable: true,
    });
    expect(describeSeat(s, 'EUR')).toBe(
      'Section A, row 1, seat 1: Premium €249.00, available, wheelchair place',
    );
    expect(describeSeat(seatInfo(m, p, status, 1, true))).toContain('held by you');
    expect(describeSeat(seatInfo(m, p, status, 1, false))).toContain('held by someone else');
    const resale = seatInfo(m, p, status, 3, false);
    expect(resale.pickable).toBe(false);
    expect(describeSeat(resale)).toBe(
      'Section A, row 2, seat 1: Stalls €50.00, offered for resale, restricted view',
    );
  });
});
