import { afterEach, describe, expect, it, vi } from 'vitest';
import { apply } from '../../src/domain/apply.ts';
import type { Command } from '../../src/domain/commands.ts';
import { createState } from '../../src/domain/state.ts';
import { entriesAfter, type Harness, harness } from '../support/actors.ts';
import { fixtureLayout, PRICES } from '../support/fixture.ts';

// The journal keeps what was decided, not what was asked: a journal written under one
// best-available algorithm recovers to the same seats after the algorithm changes. The
// algorithm is swapped here through a module mock; the real one runs until the swap.

const algorithm = vi.hoisted(() => ({ farthestFirst: false }));

vi.mock('../../src/domain/best-available.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/domain/best-available.ts')>();
  return {
    ...real,
    chooseBest: (...args: Parameters<typeof real.chooseBest>) => {
      if (!algorithm.farthestFirst) return real.chooseBest(...args);
      // "A new algorithm": the available seats farthest from the stage first.
      const [state, count] = args;
      const seats: number[] = [];
      for (let s = state.layout.seatCount - 1; s >= 0 && seats.length < count; s--) {
        if (
          state.status[s] === 0 &&
          state.prices[state.layout.seatCategory[s]] >= 0 &&
          state.layout.seatFlags[s] === 0
        )
          seats.push(s);
      }
      return seats.length === count ? { seats, together: false } : null;
    },
  };
});

let h: Harness | undefined;
afterEach(async () => {
  algorithm.farthestFirst = false;
  await h?.directory.close();
  h?.feed.close();
  h = undefined;
});

const best = (i: number): Command => ({ type: 'holdBest', holdId: `b${i}`, fanId: `fan${i}`, count: 2 });

describe('a change to best-available after the journal was written', () => {
  it('given holds journaled under the old algorithm, when the actor recovers under a new one, then every hold keeps the seats it was given, and only new holds use the new algorithm', async () => {
    h = await harness();
    const { event, journal, base } = h;
    for (let i = 0; i < 4; i++) expect((await event.submitOne(best(i))).ok).toBe(true);
    const before = await event.query('dump', {});
    const given = before.holds.map((x): [string, number[]] => [x.holdId, x.seats]);
    // The old algorithm packs the front rows, nearest the stage (row A is seats 0-5).
    expect(given.flatMap(([, seats]) => seats).filter((s) => s < 6)).not.toHaveLength(0);

    algorithm.farthestFirst = true;
    // A journal of commands would replay into other seats now: the test can tell the difference.
    const replayedCommands = createState(fixtureLayout(), PRICES);
    const redecided = [0, 1, 2, 3].map((i) => {
      const out = apply(replayedCommands, best(i), 0);
      return out.ok ? out.value.seats : null;
    });
    expect(redecided).not.toEqual(given.map(([, seats]) => seats));

    // A crash: the actor recovers from the journal of events, under the new algorithm.
    expect((await event.submitOne({ type: 'boom' } as unknown as Command)).ok).toBe(false);
    const after = await event.query('dump', {});
    expect(after.holds.map((x) => [x.holdId, x.seats])).toEqual(given);
    expect(after.status).toEqual(before.status);
    expect(entriesAfter(journal, base).map((e) => e.event.type)).toEqual(Array(4).fill('SeatsHeld'));

    // New holds follow the new algorithm.
    const next = await event.submitOne(best(9));
    expect(next.ok && next.value.seats).toEqual([20, 19]); // the back of the circle
  });
});
