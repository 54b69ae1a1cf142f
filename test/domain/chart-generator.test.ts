import { describe, expect, it } from 'vitest';
import { type Chart, compileChart } from '../../src/domain/chart.ts';
import {
  generateChart,
  ROW_DEPTH,
  SEAT_PITCH,
  TIER_AISLE,
  type VenueKind,
} from '../../src/domain/chart-generator.ts';

// The generated charts are drawn as they are: a seat on top of another is a seat map fans
// cannot click. These checks hold for every template, so a new or retuned template that
// crowds seats, sections, rows, tiers or standing floors together fails here.

/**
 * Seats in a row are SEAT_PITCH apart along the arc; the straight line between them is a
 * hair shorter (< 0.1 % on the tightest row), and rounding each coordinate to the centimetre
 * moves a seat up to 0.007 m, a pair up to 0.014 m. So a bit under SEAT_PITCH; rows
 * (ROW_DEPTH) and tiers (TIER_AISLE) are farther apart than that.
 */
const MIN_SEAT_DISTANCE = SEAT_PITCH - 0.02;
/** Tiers are ring-shaped: one starts at least TIER_AISLE beyond the last row of the one before. */
const MIN_TIER_GAP = TIER_AISLE - 0.02;
/** A standing floor is at least an aisle away from every seat. */
const MIN_GA_CLEARANCE = TIER_AISLE;

/** Seat counts are pinned: the demo stadium's 81,450 is documented, the others are tested elsewhere. */
const SEAT_COUNTS: Record<VenueKind, number> = { theatre: 2007, arena: 16_440, stadium: 81_450 };
const GA_AREAS: Record<VenueKind, number> = { theatre: 0, arena: 1, stadium: 2 };

interface Point {
  id: string;
  x: number;
  y: number;
}

function seatsOf(chart: Chart): Point[] {
  return chart.sections.flatMap((s) => s.rows.flatMap((r) => r.seats));
}

/**
 * The closest pair of seats no farther apart than `within`, or null. A grid of `within`-sized
 * cells means a seat's neighbours closer than `within` are in its own or the 8 cells around it,
 * so the 81,450-seat stadium takes milliseconds instead of 3.3 billion comparisons.
 */
function closestPair(points: Point[], within: number): { a: Point; b: Point; d: number } | null {
  const cell = (v: number) => Math.floor(v / within);
  // One number per cell: charts span well under a million cells either way.
  const key = (cx: number, cy: number) => cx * 2_000_003 + cy;
  const grid = new Map<number, Point[]>();
  for (const p of points) {
    const k = key(cell(p.x), cell(p.y));
    const list = grid.get(k);
    if (list) list.push(p);
    else grid.set(k, [p]);
  }
  let best: { a: Point; b: Point; d: number } | null = null;
  for (const a of points) {
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const b of grid.get(key(cell(a.x) + dx, cell(a.y) + dy)) ?? []) {
          if (b === a) continue;
          const d = Math.hypot(a.x - b.x, a.y - b.y);
          if (d < within && (!best || d < best.d)) best = { a, b, d };
        }
      }
    }
  }
  return best;
}

describe('closestPair', () => {
  it('given seats a grid cell apart diagonally, then it finds them; given them farther, then none', () => {
    const near = [
      { id: 'a', x: 0.99, y: 0.99 },
      { id: 'b', x: 1.01, y: 1.01 },
      { id: 'c', x: 5, y: 5 },
    ];
    expect(closestPair(near, 0.5)?.d).toBeCloseTo(Math.hypot(0.02, 0.02), 6);
    expect(closestPair([near[0], near[2]], 0.5)).toBeNull();
  });
});

for (const kind of ['theatre', 'arena', 'stadium'] as const) {
  describe(`given the generated ${kind}`, () => {
    const chart = generateChart(kind);
    const seats = seatsOf(chart);
    const fromFocal = (p: { x: number; y: number }) => Math.hypot(p.x - chart.focal.x, p.y - chart.focal.y);

    it(`then it compiles, with ${SEAT_COUNTS[kind].toLocaleString('en')} seats`, () => {
      const layout = compileChart(chart);
      expect(layout.seatCount).toBe(SEAT_COUNTS[kind]);
      expect(layout.areas.map((a) => a.id)).toEqual(chart.gaAreas.map((a) => a.id));
    });

    it(`then no two seats are closer than ${MIN_SEAT_DISTANCE} m`, () => {
      const pair = closestPair(seats, MIN_SEAT_DISTANCE);
      expect(pair && `${pair.a.id} and ${pair.b.id} are ${pair.d.toFixed(3)} m apart`).toBeNull();
    });

    it('then each tier starts at least an aisle beyond the last row of the one before', () => {
      // Section ids are the tier number and two digits: 101, 102, ..., 201, ...
      const tiers = new Map<string, { min: number; max: number }>();
      for (const s of chart.sections) {
        const tier = s.id.slice(0, -2);
        const t = tiers.get(tier) ?? { min: Number.POSITIVE_INFINITY, max: 0 };
        for (const r of s.rows) {
          for (const seat of r.seats) {
            t.min = Math.min(t.min, fromFocal(seat));
            t.max = Math.max(t.max, fromFocal(seat));
          }
        }
        tiers.set(tier, t);
      }
      const rings = [...tiers.values()];
      expect(rings.length).toBeGreaterThanOrEqual(2);
      for (let t = 1; t < rings.length; t++) {
        expect(rings[t].min - rings[t - 1].max).toBeGreaterThanOrEqual(MIN_TIER_GAP);
      }
    });

    it('then the rows of every section lie one behind the other, ROW_DEPTH apart', () => {
      for (const s of chart.sections) {
        const radii = s.rows.map((r) => fromFocal(r.seats[0]));
        for (let r = 1; r < radii.length; r++) {
          expect(radii[r] - radii[r - 1]).toBeCloseTo(ROW_DEPTH, 1);
        }
      }
    });

    it('then every seat lies inside its section bounds', () => {
      const outside: string[] = [];
      for (const s of chart.sections) {
        const b = s.bounds;
        expect(b).toBeDefined();
        if (!b) continue;
        for (const r of s.rows) {
          for (const seat of r.seats) {
            if (seat.x < b.minX || seat.x > b.maxX || seat.y < b.minY || seat.y > b.maxY)
              outside.push(seat.id);
          }
        }
      }
      expect(outside).toEqual([]);
    });

    it(`then every standing floor is on the floor: nearer the stage than the first row and ${MIN_GA_CLEARANCE} m or more from every seat`, () => {
      expect(chart.gaAreas).toHaveLength(GA_AREAS[kind]);
      const firstRow = Math.min(...seats.map(fromFocal));
      for (const a of chart.gaAreas) {
        expect(fromFocal(a)).toBeLessThan(firstRow);
        const nearest = Math.min(...seats.map((s) => Math.hypot(s.x - a.x, s.y - a.y)));
        expect(nearest, `${a.id} is ${nearest.toFixed(2)} m from a seat`).toBeGreaterThanOrEqual(
          MIN_GA_CLEARANCE,
        );
      }
    });
  });
}
