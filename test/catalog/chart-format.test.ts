import { describe, expect, it } from 'vitest';
import {
  type ChartProblem,
  checkChart,
  InvalidChart,
  validateChart,
} from '../../src/catalog/chart-format.ts';
import { CHART_FORMAT, type Chart } from '../../src/domain/chart.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';
import { statusOf } from '../../src/gateway/status-codes.ts';
import { fixtureChart } from '../support/fixture.ts';

// The seat-chart format (docs/chart-format.md): every problem is reported with its code,
// the path to the offending element, and a message naming the ids involved.

/** A deep copy of the fixture chart (two sections, GA areas), with bounds around S1. */
function chart(): Chart {
  const c = structuredClone(fixtureChart());
  c.sections[0].bounds = { minX: -3, minY: 1, maxX: 3, maxY: 5 };
  return c;
}

function problems(input: unknown): ChartProblem[] {
  const v = validateChart(input);
  if (v.ok) throw new Error('expected the chart to be rejected');
  return v.problems;
}

describe('chart format validation', () => {
  it('given the generator charts, then each validates (the generator exports the documented format)', () => {
    for (const kind of ['theatre', 'arena', 'stadium'] as const) {
      const c = JSON.parse(JSON.stringify(generateChart(kind)));
      expect(c.format).toBe(CHART_FORMAT);
      expect(c.sections.every((s: { bounds?: unknown }) => s.bounds)).toBe(true);
      const v = validateChart(c);
      expect(v.ok, kind).toBe(true);
    }
    const v = validateChart(generateChart('stadium'));
    expect(v.ok && v.seats).toBe(81_450);
    expect(v.ok && v.gaCapacity).toBe(12_000);
  });

  it('given a valid chart, then it passes with its totals', () => {
    const v = validateChart(chart());
    expect(v).toMatchObject({ ok: true, seats: 24, gaCapacity: 15 });
  });

  it('given a duplicate seat id, then CHART_DUPLICATE_SEAT names it and both places', () => {
    const c = chart();
    c.sections[1].rows[0].seats[2].id = 'S1-A-1';
    expect(problems(c)).toEqual([
      {
        code: 'CHART_DUPLICATE_SEAT',
        path: 'sections[1].rows[0].seats[2]',
        message: 'duplicate seat id "S1-A-1" (first at sections[0].rows[0].seats[0])',
      },
    ]);
  });

  it('given a seat whose coordinates fall outside its section bounds, then CHART_SEAT_OUTSIDE_SECTION', () => {
    const c = chart();
    c.sections[0].rows[1].seats[3].x = 40;
    const [p] = problems(c);
    expect(p.code).toBe('CHART_SEAT_OUTSIDE_SECTION');
    expect(p.path).toBe('sections[0].rows[1].seats[3]');
    expect(p.message).toBe('seat "S1-B-4" at (40, 3) lies outside section "S1"\'s bounds (-3..3, 1..5)');
  });

  it('given a seat naming another section than the one it is listed in, then CHART_SEAT_OUTSIDE_SECTION', () => {
    const c = chart();
    c.sections[1].rows[0].seats[0].section = 'S1';
    expect(problems(c)).toEqual([
      {
        code: 'CHART_SEAT_OUTSIDE_SECTION',
        path: 'sections[1].rows[0].seats[0]',
        message: 'seat "S2-A-1" names section "S1" but is listed in section "S2"',
      },
    ]);
  });

  it('given a seat and an area with unknown categories, then CHART_UNKNOWN_CATEGORY for each', () => {
    const c = chart();
    c.sections[0].rows[2].seats[1].category = 'VIP';
    c.gaAreas[1].category = 'Z';
    expect(problems(c)).toEqual([
      {
        code: 'CHART_UNKNOWN_CATEGORY',
        path: 'sections[0].rows[2].seats[1]',
        message: 'seat "S1-C-2" has unknown category "VIP"',
      },
      { code: 'CHART_UNKNOWN_CATEGORY', path: 'gaAreas[1]', message: 'area "VIP" has unknown category "Z"' },
    ]);
  });

  it('given duplicate category, section, row and area ids, then each has its own code', () => {
    const c = chart();
    c.categories.push({ id: 'A', name: 'Again' });
    c.sections[1].id = 'S1';
    c.sections[1].rows[1].label = 'A';
    c.gaAreas[1].id = 'FLOOR';
    expect(problems(c).map((p) => [p.code, p.path])).toEqual([
      ['CHART_DUPLICATE_CATEGORY', 'categories[3]'],
      ['CHART_DUPLICATE_SECTION', 'sections[1]'],
      ['CHART_DUPLICATE_ROW', 'sections[1].rows[1]'],
      ['CHART_DUPLICATE_AREA', 'gaAreas[1]'],
    ]);
  });

  it('given bounds with min above max, then CHART_BAD_BOUNDS', () => {
    const c = chart();
    c.sections[0].bounds = { minX: 3, minY: 1, maxX: -3, maxY: 5 };
    expect(problems(c)[0]).toMatchObject({ code: 'CHART_BAD_BOUNDS', path: 'sections[0].bounds' });
  });

  it('given a wrong shape, then CHART_SCHEMA with the path of each problem', () => {
    const c = chart() as unknown as Record<string, unknown> & {
      sections: { rows: { seats: unknown[] }[] }[];
    };
    (c.sections[0].rows[0].seats[0] as Record<string, unknown>).x = 'left';
    (c.sections[0].rows[0].seats[1] as Record<string, unknown>).catgory = 'A';
    delete c.focal;
    const ps = problems(c);
    expect(ps.every((p) => p.code === 'CHART_SCHEMA')).toBe(true);
    expect(ps.map((p) => p.path).sort()).toEqual(
      ['focal', 'sections[0].rows[0].seats[0].x', 'sections[0].rows[0].seats[1]'].sort(),
    );
    expect(ps.find((p) => p.path === 'sections[0].rows[0].seats[1]')?.message).toContain('catgory');
  });

  it('given something that is not a chart at all, then CHART_SCHEMA, never a throw', () => {
    for (const input of [null, 42, 'chart', [], { sections: 'x' }]) {
      expect(problems(input)[0].code).toBe('CHART_SCHEMA');
    }
  });

  it('given an unknown format tag, then CHART_FORMAT', () => {
    const c = { ...chart(), format: 'seatsio/2' };
    expect(problems(c)).toEqual([
      {
        code: 'CHART_FORMAT',
        path: 'format',
        message: 'unknown format "seatsio/2"; this server reads "onsale.chart/1"',
      },
    ]);
  });

  it('given no seats and no standing places, then CHART_EMPTY', () => {
    const c = { ...chart(), sections: [], gaAreas: [] };
    expect(problems(c)).toEqual([
      { code: 'CHART_EMPTY', path: '(chart)', message: 'the chart has no seats and no standing places' },
    ]);
  });

  it('given many problems, then at most 50 are listed and the rest counted', () => {
    const c = chart();
    const row = c.sections[0].rows[0];
    for (let i = 0; i < 80; i++) row.seats.push({ ...row.seats[0], category: 'NOPE', id: `x${i}` });
    const v = validateChart(c);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problems).toHaveLength(50);
      expect(v.more).toBe(30);
    }
  });

  it('given checkChart on a bad chart, then InvalidChart is a 400 whose message is the first problem', () => {
    const c = chart();
    c.sections[0].rows[0].seats[1].id = 'S1-A-1';
    try {
      checkChart(c);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidChart);
      expect(statusOf((e as InvalidChart).code)).toBe(400);
      expect((e as InvalidChart).code).toBe('INVALID_CHART');
      expect((e as InvalidChart).message).toBe(
        'sections[0].rows[0].seats[1]: duplicate seat id "S1-A-1" (first at sections[0].rows[0].seats[0])',
      );
    }
  });
});
