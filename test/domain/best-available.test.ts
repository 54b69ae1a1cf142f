import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/domain/apply.ts';
import { chooseBest } from '../../src/domain/best-available.ts';
import { type Chart, compileChart, SEAT_ACCESSIBLE, SEAT_COMPANION } from '../../src/domain/chart.ts';
import { defaultPrices, generateChart } from '../../src/domain/chart-generator.ts';
import type { BestFilter } from '../../src/domain/commands.ts';
import { AVAILABLE, HELD } from '../../src/domain/seat-status.ts';
import { createState, type EventState } from '../../src/domain/state.ts';
import { accept, fixtureState, lineRow, mulberry32, rejectWith, SEAT, T0 } from '../support/fixture.ts';

const roomy = { maxPerOrder: 10, maxPerFan: 50 };

/** One section, one category, rows of the given lengths at y = 2, 3, 4… */
function rowsChart(lengths: number[]): Chart {
  return {
    id: `rows-${lengths.join('-')}`,
    name: 'Rows',
    focal: { x: 0, y: 0 },
    categories: [{ id: 'A', name: 'A' }],
    sections: [{ id: 'S', name: 'S', rows: lengths.map((n, i) => lineRow(`R${i}`, n, i + 2, 'A', 'S')) }],
    gaAreas: [],
  };
}

function rowsState(lengths: number[]): EventState {
  return createState(compileChart(rowsChart(lengths)), { A: 100 }, roomy);
}

function best(s: EventState, count: number, filter?: BestFilter): { seats: number[]; together: boolean } {
  const out = accept(s, {
    type: 'holdBest',
    holdId: `b${s.version}`,
    fanId: 'fan',
    count,
    ...(filter ? { filter } : {}),
  });
  const { seats, together } = out.value as { seats: number[]; together: boolean };
  for (const seat of seats) expect(s.status[seat]).toBe(HELD);
  return { seats, together };
}

function take(s: EventState, seats: number[]): void {
  accept(s, { type: 'hold', holdId: `t${s.version}`, fanId: `taker${s.version}`, seats });
}

describe('best available: closest to the focal point first', () => {
  it('given an empty hall, when 2 seats are asked for, then the middle pair of the front row is chosen', () => {
    expect(best(fixtureState(roomy), 2)).toEqual({ seats: [2, 3], together: true });
  });
  it('given an empty hall, when 1 seat is asked for, then one of the two middle front seats is chosen', () => {
    expect([[2], [3]]).toContainEqual(best(fixtureState(roomy), 1).seats);
  });
  it('given the front row full, when 2 seats are asked for, then the middle pair of the second row is chosen', () => {
    const s = fixtureState(roomy);
    take(s, [...SEAT.S1A.slice(0, 4)]);
    take(s, [...SEAT.S1A.slice(4)]);
    expect(best(s, 2)).toEqual({ seats: [8, 9], together: true });
  });
});

describe('best available: single-seat orphans', () => {
  it('given a row of 6 with its first seat taken, when 2 are asked for, then seats 1-2 are chosen rather than the closer 2-3 that would strand seat 1', () => {
    const s = fixtureState(roomy);
    take(s, [0]);
    expect(best(s, 2)).toEqual({ seats: [1, 2], together: true });
  });
  it('given an empty row of 6, when 3 are asked for, then an end block is chosen rather than a middle block that strands an end seat', () => {
    const got = best(fixtureState(roomy), 3);
    expect(got.together).toBe(true);
    expect([
      [0, 1, 2],
      [3, 4, 5],
    ]).toContainEqual(got.seats);
  });
  it('given only orphaning blocks in the closer row, when 2 are asked for, then a block in the farther row that strands nothing wins', () => {
    const s = rowsState([4, 6]); // row 0: seats 0-3, row 1: seats 4-9
    take(s, [0]);
    expect(best(s, 2)).toEqual({ seats: [6, 7], together: true });
  });
  it('given a row where every block strands a seat and no other row, when 2 are asked for, then the closest such block is still accepted', () => {
    const s = rowsState([4]);
    take(s, [0]);
    expect(best(s, 2)).toEqual({ seats: [1, 2], together: true });
  });
});

describe('best available: not together', () => {
  it('given no row with 2 seats side by side, when 2 are asked for, then the 2 closest seats are chosen with together:false', () => {
    const s = rowsState([3, 3]); // row 0: 0-2, row 1: 3-5
    take(s, [1]);
    take(s, [4]);
    expect(best(s, 2)).toEqual({ seats: [0, 2], together: false });
  });
  it('given no row with 3 together, when 3 are asked for, then the closest row is used up first and the rest comes from the next', () => {
    const s = rowsState([3, 3]);
    take(s, [1]);
    take(s, [4]);
    expect(best(s, 3)).toEqual({ seats: [0, 2, 3], together: false });
  });
  it('given fewer free seats than asked for, when holdBest runs, then NO_SEATS_AVAILABLE', () => {
    const s = rowsState([3, 3]);
    take(s, [1]);
    take(s, [4]);
    rejectWith(s, { type: 'holdBest', holdId: 'x', fanId: 'fan', count: 5 }, 'NO_SEATS_AVAILABLE');
  });
});

describe('best available: filters', () => {
  it('given the categories filter B, when 2 are asked for, then the plain B seats of row C are chosen, never the wheelchair pair', () => {
    expect(best(fixtureState(roomy), 2, { categories: ['B'] })).toEqual({ seats: [14, 15], together: true });
  });
  it('given the categories filter B, when 3 are asked for, then a block of the circle row that strands nothing is chosen', () => {
    const got = best(fixtureState(roomy), 3, { categories: ['B'] });
    expect([
      [16, 17, 18],
      [18, 19, 20],
    ]).toContainEqual(got.seats);
  });
  it('given only section S1 and category B, when 3 are asked for, then NO_SEATS_AVAILABLE (special seats are never chosen without the accessible filter)', () => {
    rejectWith(
      fixtureState(roomy),
      {
        type: 'holdBest',
        holdId: 'x',
        fanId: 'fan',
        count: 3,
        filter: { categories: ['B'], sections: ['S1'] },
      },
      'NO_SEATS_AVAILABLE',
    );
  });
  it('given the sections filter S2, when 1 is asked for, then the middle of the circle row is chosen', () => {
    expect(best(fixtureState(roomy), 1, { sections: ['S2'] }).seats).toEqual([18]);
  });
  it('given the sections filter S2, when all 5 priced seats are asked for, then exactly those are chosen, and a 6th is never found in the unpriced row', () => {
    expect(best(fixtureState(roomy), 5, { sections: ['S2'] }).seats).toEqual([16, 17, 18, 19, 20]);
    rejectWith(
      fixtureState(roomy),
      { type: 'holdBest', holdId: 'x', fanId: 'fan', count: 6, filter: { sections: ['S2'] } },
      'NO_SEATS_AVAILABLE',
    );
  });
  it('given an unknown section or category, when asked, then NO_SEATS_AVAILABLE', () => {
    rejectWith(
      fixtureState(roomy),
      { type: 'holdBest', holdId: 'x', fanId: 'f', count: 1, filter: { sections: ['S9'] } },
      'NO_SEATS_AVAILABLE',
    );
    rejectWith(
      fixtureState(roomy),
      { type: 'holdBest', holdId: 'x', fanId: 'f', count: 1, filter: { categories: ['Z'] } },
      'NO_SEATS_AVAILABLE',
    );
    rejectWith(
      fixtureState(roomy),
      { type: 'holdBest', holdId: 'x', fanId: 'f', count: 1, filter: { categories: ['C'] } },
      'NO_SEATS_AVAILABLE',
    );
  });
  it('given minPrice 4000, when 2 are asked for, then only category A (5000) seats are chosen', () => {
    const s = fixtureState(roomy);
    take(s, [2, 3]);
    const got = best(s, 4, { minPrice: 4000 });
    for (const seat of got.seats) expect(s.layout.seatCategory[seat]).toBe(s.layout.categoryIndex.get('A'));
  });
  it('given maxPrice 3500, when 2 are asked for, then only category B (3000) seats are chosen', () => {
    expect(best(fixtureState(roomy), 2, { maxPrice: 3500 }).seats).toEqual([14, 15]);
  });
  it('given a price window that matches B exactly, when 1 is asked for, then a B seat is chosen', () => {
    const got = best(fixtureState(roomy), 1, { minPrice: 3000, maxPrice: 3000 });
    expect([[14], [15]]).toContainEqual(got.seats);
  });
  it('given a price window no category falls in, when asked, then NO_SEATS_AVAILABLE', () => {
    rejectWith(
      fixtureState(roomy),
      { type: 'holdBest', holdId: 'x', fanId: 'f', count: 1, filter: { minPrice: 6000 } },
      'NO_SEATS_AVAILABLE',
    );
    rejectWith(
      fixtureState(roomy),
      { type: 'holdBest', holdId: 'x', fanId: 'f', count: 1, filter: { maxPrice: 100 } },
      'NO_SEATS_AVAILABLE',
    );
  });
  it('given the accessible filter, when 1 is asked for, then the wheelchair place is chosen', () => {
    expect(best(fixtureState(roomy), 1, { accessible: true }).seats).toEqual([SEAT.ACCESSIBLE]);
  });
  it('given the accessible filter, when 2 are asked for, then the wheelchair place and its companion seat are chosen together', () => {
    expect(best(fixtureState(roomy), 2, { accessible: true })).toEqual({
      seats: [SEAT.ACCESSIBLE, SEAT.COMPANION],
      together: true,
    });
  });
  it('given the wheelchair place taken, when the accessible filter asks for 1, then the companion seat alone is not offered', () => {
    const s = fixtureState(roomy);
    take(s, [SEAT.ACCESSIBLE]);
    rejectWith(
      s,
      { type: 'holdBest', holdId: 'x', fanId: 'f', count: 1, filter: { accessible: true } },
      'NO_SEATS_AVAILABLE',
    );
  });
});

describe('best available: wheelchair places when no block fits', () => {
  /** Row 0 (closest): companion, plain, companion. Row 1: wheelchair place, plain, plain. */
  function splitPairs(): EventState {
    const c = rowsChart([3, 3]);
    c.sections[0].rows[0].seats[0].companion = true;
    c.sections[0].rows[0].seats[2].companion = true;
    c.sections[0].rows[1].seats[0].accessible = true;
    const s = createState(compileChart(c), { A: 100 }, roomy);
    take(s, [1]);
    return s;
  }

  it('given no wheelchair place beside a free companion seat, when 2 accessible seats are asked for, then the wheelchair place of the farther row is chosen with the closest companion seat', () => {
    const got = best(splitPairs(), 2, { accessible: true });
    expect(got.together).toBe(false);
    expect([...got.seats].sort()).toEqual([0, 3]);
  });

  it('given the only wheelchair place taken, when accessible seats are asked for, then companion seats alone are never offered', () => {
    const s = splitPairs();
    take(s, [3]);
    rejectWith(
      s,
      { type: 'holdBest', holdId: 'x', fanId: 'f', count: 2, filter: { accessible: true } },
      'NO_SEATS_AVAILABLE',
    );
  });
});

const SPECIAL = SEAT_ACCESSIBLE | SEAT_COMPANION;

/** Seats best-available may offer: free, priced, and special exactly when the accessible filter is on. */
function eligibleSeats(s: EventState, accessible: boolean): number[] {
  const { layout, status } = s;
  const out: number[] = [];
  for (let i = 0; i < layout.seatCount; i++) {
    const special = (layout.seatFlags[i] & SPECIAL) !== 0;
    if (status[i] === AVAILABLE && s.prices[layout.seatCategory[i]] >= 0 && special === accessible)
      out.push(i);
  }
  return out;
}

/** Every block of `count` eligible seats in one row, with its orphan flag and mean distance. */
function blocks(
  s: EventState,
  count: number,
  accessible = false,
): { first: number; orphan: boolean; score: number }[] {
  const { layout, status } = s;
  const ok = new Set(eligibleSeats(s, accessible));
  const out: { first: number; orphan: boolean; score: number }[] = [];
  const free = (i: number, a: number, b: number) => i >= a && i < b && status[i] === AVAILABLE;
  for (let r = 0; r < layout.rowCount; r++) {
    const a = layout.rowStart[r];
    const b = a + layout.rowLength[r];
    for (let first = a; first + count <= b; first++) {
      let all = true;
      let wheelchair = false;
      let sum = 0;
      for (let i = first; i < first + count; i++) {
        if (!ok.has(i)) all = false;
        if (layout.seatFlags[i] & SEAT_ACCESSIBLE) wheelchair = true;
        sum += layout.seatDist[i];
      }
      if (!all || (accessible && !wheelchair)) continue;
      const last = first + count - 1;
      const orphan =
        (free(first - 1, a, b) && !free(first - 2, a, b)) || (free(last + 1, a, b) && !free(last + 2, a, b));
      out.push({ first, orphan, score: sum / count });
    }
  }
  return out;
}

/** The choice is the best block by (strands no seat, mean distance) when any block exists. */
function expectBestBlock(
  got: { seats: number[]; together: boolean } | null,
  all: ReturnType<typeof blocks>,
  count: number,
) {
  expect(got?.together).toBe(true);
  const seats = got!.seats;
  expect(seats).toEqual(Array.from({ length: count }, (_, i) => seats[0] + i));
  const mine = all.find((b) => b.first === seats[0]);
  expect(mine).toBeDefined();
  expect(mine!.orphan).toBe(all.every((b) => b.orphan));
  const bestScore = Math.min(...all.filter((b) => b.orphan === mine!.orphan).map((b) => b.score));
  expect(mine!.score).toBeLessThanOrEqual(bestScore + 1e-4);
}

/** Takes about `fill` of the seats `which` allows, straight in the arrays (only statuses matter here). */
function fillRandomly(
  s: EventState,
  seed: number,
  fill: number,
  which: (seat: number) => boolean = () => true,
) {
  const rand = mulberry32(seed);
  const { layout } = s;
  for (let i = 0; i < layout.seatCount; i++) if (which(i) && rand() < fill) s.status[i] = HELD;
  s.rowAvailable.fill(0);
  for (let i = 0; i < layout.seatCount; i++)
    if (s.status[i] === AVAILABLE) s.rowAvailable[layout.seatRow[i]]++;
}

describe('best available: against a brute-force search on the theatre', () => {
  const layout = compileChart(generateChart('theatre'));
  const prices = defaultPrices(generateChart('theatre'));

  it('given random seats already taken, when 1-8 seats are asked for, then the choice is the best block by (no orphan, mean distance), or closest scattered seats', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom(0, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99, 0.999),
        fc.integer({ min: 1, max: 8 }),
        (seed, fill, count) => {
          const s = createState(layout, prices, { maxPerOrder: 10, maxPerFan: 10 });
          fillRandomly(s, seed, fill);
          const got = chooseBest(s, count);
          const all = blocks(s, count);
          if (all.length > 0) {
            expectBestBlock(got, all, count);
            return;
          }
          const eligible = eligibleSeats(s, false);
          if (eligible.length < count) {
            expect(got).toBeNull();
            return;
          }
          expect(got?.together).toBe(false);
          expect(new Set(got!.seats).size).toBe(count);
          for (const x of got!.seats) expect(eligible).toContain(x);
          const farthest = Math.max(...got!.seats.map((x) => layout.rowMinDist[layout.seatRow[x]]));
          // Closest first: no free seat in a strictly closer row was passed over.
          for (const e of eligible) {
            if (layout.rowMinDist[layout.seatRow[e]] < farthest) expect(got!.seats).toContain(e);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('given random wheelchair places and companion seats taken, when 1-4 accessible seats are asked for, then a valid choice is found exactly when one exists', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom(0.2, 0.5, 0.7, 0.9),
        fc.integer({ min: 1, max: 4 }),
        (seed, fill, count) => {
          const s = createState(layout, prices, { maxPerOrder: 10, maxPerFan: 10 });
          fillRandomly(s, seed, fill, (seat) => (layout.seatFlags[seat] & SPECIAL) !== 0);
          const got = chooseBest(s, count, { accessible: true });
          const all = blocks(s, count, true);
          if (all.length > 0) {
            expectBestBlock(got, all, count);
            return;
          }
          const eligible = eligibleSeats(s, true);
          const wheelchair = eligible.filter((x) => layout.seatFlags[x] & SEAT_ACCESSIBLE);
          if (eligible.length < count || wheelchair.length === 0) {
            expect(got).toBeNull();
            return;
          }
          expect(got?.together).toBe(false);
          expect(new Set(got!.seats).size).toBe(count);
          for (const x of got!.seats) expect(eligible).toContain(x);
          expect(got!.seats.some((x) => layout.seatFlags[x] & SEAT_ACCESSIBLE)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('given a theatre sold out but for scattered single seats, when 2 are asked for, then together:false and the hold is accepted', () => {
    const s = createState(layout, prices, { maxPerOrder: 10, maxPerFan: 100_000 });
    // Block every other seat: no two free seats remain side by side.
    const seats: number[] = [];
    for (let i = 0; i < layout.seatCount; i += 2) seats.push(i);
    for (let i = 0; i < seats.length; i += 1000)
      accept(s, { type: 'block', seats: seats.slice(i, i + 1000) }, T0);
    const out = apply(s, { type: 'holdBest', holdId: 'h', fanId: 'f', count: 2 }, T0);
    expect(out.ok && out.value.together).toBe(false);
  });
});
