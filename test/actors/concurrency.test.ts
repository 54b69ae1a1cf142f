import { afterEach, describe, expect, it } from 'vitest';
import { compileChart, SEAT_ACCESSIBLE, SEAT_COMPANION } from '../../src/domain/chart.ts';
import { defaultPrices, generateChart } from '../../src/domain/chart-generator.ts';
import { evolve } from '../../src/domain/evolve.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { encodeState } from '../../src/domain/snapshot.ts';
import { createState } from '../../src/domain/state.ts';
import { entriesAfter, type Harness, harness, sleep, stateBytes, TestJournal } from '../support/actors.ts';
import { mulberry32 } from '../support/fixture.ts';

// Thousands of fans race for the same 100 seats through one event actor. Each fan arrives
// after a random delay, so their commands reach the actor in many messages and journal
// batches (the journal itself takes 0-2 ms per append). The actor is the only lock.

const chart = generateChart('theatre');
const layout = compileChart(chart);
const prices = defaultPrices(chart);
const config = { holdTtlMs: 600_000, maxHoldMs: 1_200_000, maxPerOrder: 10, maxPerFan: 10 };
const FANS = 5000;

/** The first 100 plain seats of the theatre: the ones everybody wants. */
const CONTESTED: number[] = [];
for (let s = 0; CONTESTED.length < 100; s++) {
  if ((layout.seatFlags[s] & (SEAT_ACCESSIBLE | SEAT_COMPANION)) === 0) CONTESTED.push(s);
}

let current: Harness | undefined;
afterEach(async () => {
  await current?.directory.close();
  current = undefined;
});

async function race(requests: number[][], seed: number) {
  const rand = mulberry32(seed);
  const journal = new TestJournal(() => Math.floor(rand() * 3));
  current = await harness({ layout, prices, config, journal });
  const { event } = current;
  const delays = requests.map(() => Math.floor(rand() * 25));
  const arrivals: number[] = [];
  const outcomes: Outcome[] = await Promise.all(
    requests.map(async (seats, i) => {
      await sleep(delays[i]);
      arrivals.push(i);
      return event.submitOne({ type: 'hold', holdId: `h${i}`, fanId: `fan${i}`, seats });
    }),
  );
  return { ...current, outcomes, arrivals };
}

/** What a single-threaded seller would do with the same arrivals, one at a time. */
function sequential(requests: number[][], arrivals: number[]): boolean[] {
  const taken = new Set<number>();
  const ok = new Array<boolean>(requests.length).fill(false);
  for (const i of arrivals) {
    if (requests[i].every((s) => !taken.has(s))) {
      for (const s of requests[i]) taken.add(s);
      ok[i] = true;
    }
  }
  return ok;
}

describe('concurrency: 5,000 fans, 100 seats', () => {
  it('given 5,000 fans each wanting one of the same 100 seats, when they all hold at once, then exactly 100 succeed, one per seat, first come first served', async () => {
    const rand = mulberry32(1);
    const requests = Array.from({ length: FANS }, () => [CONTESTED[Math.floor(rand() * CONTESTED.length)]]);
    expect(new Set(requests.flat()).size).toBe(100); // every seat is wanted by someone
    const { event, journal, outcomes, arrivals, base } = await race(requests, 2);

    const winners = outcomes.flatMap((o, i) => (o.ok ? [i] : []));
    expect(winners).toHaveLength(100);
    for (const o of outcomes) if (!o.ok) expect(o.error.code).toBe('SEAT_UNAVAILABLE');
    const wonSeats = winners.map((i) => requests[i][0]);
    expect(new Set(wonSeats).size).toBe(100);
    expect([...wonSeats].sort((a, b) => a - b)).toEqual(CONTESTED);
    // First come, first served: each seat went to the first fan whose command arrived for it.
    expect(outcomes.map((o) => o.ok)).toEqual(sequential(requests, arrivals));

    const dump = await event.query('dump', {});
    const held = (await event.query('availability', {})).seats.held;
    expect(held).toBe(100);
    expect(dump.holds).toHaveLength(100);
    expect(dump.version).toBe(base + 100);
    const holderOf = new Map(dump.holds.flatMap((h) => h.seats.map((seat) => [seat, h.fanId] as const)));
    const byWinner = new Map(winners.map((i) => [requests[i][0], `fan${i}`]));
    expect(CONTESTED.map((seat) => holderOf.get(seat))).toEqual(CONTESTED.map((seat) => byWinner.get(seat)));

    // Durable: exactly the 100 accepted holds are journaled, gap-free, and evolve to the same state.
    await event.drain();
    const entries = entriesAfter(journal, base);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => base + i + 1));
    const replay = createState(layout, {}, config, { sale: 'closed' });
    for (const e of entriesAfter(journal, 0)) evolve(replay, e.event, { deltas: [], areas: [] });
    expect(Buffer.from(encodeState(replay)).equals(Buffer.from(await stateBytes(event)))).toBe(true);
  });

  it('given 5,000 fans each wanting 1-2 of the same 100 seats, when they all hold at once, then no seat is held twice, the outcome is what a one-at-a-time seller would decide, and a sweep sells the rest', async () => {
    const rand = mulberry32(3);
    const pick = () => CONTESTED[Math.floor(rand() * CONTESTED.length)];
    const requests = Array.from({ length: FANS }, () => {
      const a = pick();
      if (rand() < 0.5) return [a];
      let b = pick();
      while (b === a) b = pick();
      return [a, b];
    });
    const { event, outcomes, arrivals } = await race(requests, 4);

    for (const o of outcomes) if (!o.ok) expect(o.error.code).toBe('SEAT_UNAVAILABLE');
    expect(outcomes.map((o) => o.ok)).toEqual(sequential(requests, arrivals));
    const won = outcomes.flatMap((o, i) => (o.ok ? requests[i] : []));
    expect(new Set(won).size).toBe(won.length); // no seat in two accepted holds
    const held = (await event.query('availability', {})).seats.held;
    expect(held).toBe(won.length);

    // Whatever the race left free, single-seat holds now take, until all 100 are held.
    const free = CONTESTED.filter((s) => !won.includes(s));
    const sweep = await Promise.all(
      free.map((seat, i) =>
        event.submitOne({ type: 'hold', holdId: `sweep${i}`, fanId: `late${i}`, seats: [seat] }),
      ),
    );
    expect(sweep.every((o) => o.ok)).toBe(true);
    expect((await event.query('availability', {})).seats.held).toBe(100);
    const again = await event.submitOne({ type: 'hold', holdId: 'x', fanId: 'x', seats: [CONTESTED[0]] });
    expect(again.ok ? 'ok' : again.error.code).toBe('SEAT_UNAVAILABLE');
  });
});
