// The event actor on an 80,000-seat stadium: specific-seat holds, best-available on a
// half-sold map, per-hold latency, seat-state size, and what nact costs over calling the
// domain directly. The journal is in memory here: this measures the actor, `durable`
// measures the disk. Nothing is stored, so no run can see another's state; a run fails
// unless most holds were accepted (MIN_SHARE: random picks collide with the open holds now
// and then) and every latency sample was taken.
//
//   npm run bench -- actor [holds=600000] [bestAvailable=150000]   (two numbers, in that order)
import pino from 'pino';
import { Directory } from '../../src/actors/directory.ts';
import type { EventHandle } from '../../src/actors/event-handle.ts';
import type { Envelope } from '../../src/actors/event-port.ts';
import { MemorySnapshots } from '../../src/actors/memory-ports.ts';
import type { JournalEntry, JournalPort } from '../../src/actors/ports.ts';
import { apply } from '../../src/domain/apply.ts';
import { compileChart, type Layout } from '../../src/domain/chart.ts';
import { defaultPrices, generateChart } from '../../src/domain/chart-generator.ts';
import type { Command } from '../../src/domain/commands.ts';
import { createState, seatStateBytes } from '../../src/domain/state.ts';
import { expectCount } from '../lib/checks.ts';
import { rng } from '../lib/rng.ts';
import { Latencies, median, printJson, printTable, round } from '../lib/stats.ts';

const chart = generateChart('stadium', 'bench-stadium');
const layout = compileChart(chart);
const prices = defaultPrices(chart);
const config = { maxPerFan: 1000, maxPerOrder: 10 };
/** Holds kept open before they are released: the map is never empty. */
const WINDOW = 2000;
const BATCH = 4000;
const IN_FLIGHT = 4;
/**
 * Share of the holds that must be accepted. Picks are random (seeded), so some land on seats
 * of the WINDOW open holds: 0.91 of the default 600,000 are accepted, every best-available.
 */
const MIN_SHARE = 0.8;

/** Accepted holds per second, failing the run when too few were accepted. */
function rate(what: string, accepted: number, holds: number, seconds: number): number {
  expectCount('actor', `${what} were accepted`, accepted, holds, { minShare: MIN_SHARE });
  return accepted / seconds;
}

/** 1–4 neighbouring ordinary seats in a random row. */
function pickSeats(l: Layout, rand: () => number): number[] {
  for (;;) {
    const row = Math.floor(rand() * l.rowCount);
    const n = 1 + Math.floor(rand() * 4);
    const first = l.rowStart[row] + Math.floor(rand() * (l.rowLength[row] - n));
    const seats = Array.from({ length: n }, (_, i) => first + i);
    if (seats.every((s) => l.seatFlags[s] === 0)) return seats;
  }
}

type MakeHold = (i: number) => Command;

/**
 * Holds from..to-1, each followed by the release of the hold WINDOW before it: a steady
 * state of WINDOW open holds. Made per chunk, as a server receives them, so neither path
 * carries a million pre-made commands through the garbage collector.
 */
function chunk(make: MakeHold, from: number, to: number): Envelope[] {
  const out: Envelope[] = [];
  for (let i = from; i < to; i++) {
    out.push({ command: make(i) });
    if (i >= WINDOW)
      out.push({ command: { type: 'release', holdId: `h${i - WINDOW}`, fanId: `f${(i - WINDOW) % 500}` } });
  }
  return out;
}

/** Accepted holds among the outcomes of a chunk. */
function countHolds(outcomes: readonly { ok: boolean }[], envelopes: Envelope[]): number {
  let n = 0;
  for (let i = 0; i < outcomes.length; i++)
    if (outcomes[i].ok && envelopes[i].command.type !== 'release') n++;
  return n;
}

/** Commands that sell about half the map, most of it near the stage, in groups of 1–6. */
function halfSell(rand: () => number): Envelope[] {
  const out: Envelope[] = [];
  let order = 0;
  const rows = layout.rowsByDistance;
  for (let k = 0; k < rows.length; k++) {
    const p = k < rows.length * 0.45 ? 0.9 : 0.15;
    const start = layout.rowStart[rows[k]];
    const end = start + layout.rowLength[rows[k]];
    for (let s = start; s < end; ) {
      const n = Math.min(end - s, 1 + Math.floor(rand() * 6));
      if (rand() < p && layout.seatFlags[s] === 0) {
        const seats = Array.from({ length: n }, (_, i) => s + i).filter((x) => layout.seatFlags[x] === 0);
        const id = `sold${order++}`;
        out.push({ command: { type: 'hold', holdId: id, fanId: id, seats } });
        out.push({ command: { type: 'book', holdId: id, fanId: id, orderId: id } });
      }
      s += n;
    }
  }
  return out;
}

/**
 * Acknowledges at once and keeps nothing but the sequence check: this bench measures the
 * actor, and a journal that kept a million entries in the JS heap would measure the GC.
 */
class DiscardJournal implements JournalPort {
  private last = 0;
  private epoch = 0;
  async claim(): Promise<number> {
    return ++this.epoch;
  }
  async append(_id: string, epoch: number, entries: JournalEntry[]): Promise<void> {
    if (epoch !== this.epoch || entries[0].seq !== this.last + 1) throw new Error('journal out of sequence');
    this.last = entries[entries.length - 1].seq;
  }
  async read(): Promise<void> {}
}

async function openEvent(prepare: Envelope[] = []): Promise<{ dir: Directory; handle: EventHandle }> {
  const dir = new Directory({
    journal: new DiscardJournal(),
    snapshots: new MemorySnapshots(),
    log: pino({ level: 'warn' }),
    snapshotEvery: Number.MAX_SAFE_INTEGER,
    snapshotIntervalMs: Number.MAX_SAFE_INTEGER,
  });
  const handle = dir.open({ eventId: 'bench', layout, prices, config });
  if (prepare.length > 0) await handle.submit(prepare);
  return { dir, handle };
}

/** Pushes chunks of holds through the actor, a few messages in flight; returns accepted holds/s. */
async function throughActor(
  what: string,
  make: MakeHold,
  holds: number,
  prepare: Envelope[] = [],
): Promise<number> {
  const { dir, handle } = await openEvent(prepare);
  let accepted = 0;
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < holds) {
      const from = next;
      next = Math.min(holds, next + BATCH / 2);
      const envelopes = chunk(make, from, next);
      const outcomes = await handle.submit(envelopes);
      accepted += countHolds(outcomes, envelopes);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (performance.now() - started) / 1000;
  await dir.close();
  return rate(`${what} through the actor`, accepted, holds, seconds);
}

function direct(what: string, make: MakeHold, holds: number, prepare: Envelope[] = []): number {
  const state = createState(layout, prices, config);
  const now = Date.now();
  for (const e of prepare) apply(state, e.command, now);
  let accepted = 0;
  const started = performance.now();
  for (let from = 0; from < holds; from += BATCH / 2) {
    for (const e of chunk(make, from, Math.min(holds, from + BATCH / 2))) {
      if (apply(state, e.command, now).ok && e.command.type !== 'release') accepted++;
    }
  }
  return rate(`${what} calling the domain`, accepted, holds, (performance.now() - started) / 1000);
}

/** Single holds from concurrent clients, each waiting for its reply: the latency a fan sees. */
async function holdLatency(clients: number, perClient: number): Promise<Latencies> {
  const { dir, handle } = await openEvent();
  const lat = new Latencies('hold latency');
  const rand = rng(7);
  let accepted = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const holdId = `c${c}-${i}`;
        const fanId = `fan${c}`;
        const t0 = performance.now();
        const out = await handle.submitOne({ type: 'hold', holdId, fanId, seats: pickSeats(layout, rand) });
        lat.record((performance.now() - t0) * 1000);
        if (out.ok) {
          accepted++;
          await handle.submitOne({ type: 'release', holdId, fanId });
        }
      }
    }),
  );
  await dir.close();
  rate('single holds (latency)', accepted, clients * perClient, 1);
  expectCount('actor', 'hold latencies were recorded', lat.count, clients * perClient);
  return lat;
}

export async function run(args: string[]): Promise<void> {
  const holds = Number(args[0] ?? 600_000);
  const bests = Number(args[1] ?? 150_000);
  const rounds = 3;
  const makeHold: MakeHold = (i) => ({
    type: 'hold',
    holdId: `h${i}`,
    fanId: `f${i % 500}`,
    seats: pickSeats(layout, rng(i * 2654435761)),
  });
  const makeBest: MakeHold = (i) => ({
    type: 'holdBest',
    holdId: `h${i}`,
    fanId: `f${i % 500}`,
    count: 2 + (i % 5),
  });
  const sold = halfSell(rng(99));

  const r = {
    directHolds: [] as number[],
    actorHolds: [] as number[],
    directBest: [] as number[],
    actorBest: [] as number[],
  };
  for (let i = 0; i < rounds; i++) {
    r.directHolds.push(direct('holds', makeHold, holds));
    r.actorHolds.push(await throughActor('holds', makeHold, holds));
    r.directBest.push(direct('best-available holds', makeBest, bests, sold));
    r.actorBest.push(await throughActor('best-available holds', makeBest, bests, sold));
  }
  const lat = await holdLatency(64, 1500);

  const soldState = createState(layout, prices, config);
  for (const e of sold) apply(soldState, e.command, 0);
  const soldShare = 1 - soldState.statusCounts[0] / layout.seatCount;
  const stateBytes = seatStateBytes(soldState);
  const holdsPerSec = median(r.actorHolds);
  const directHoldsPerSec = median(r.directHolds);
  const result = {
    bench: 'actor',
    seats: layout.seatCount,
    holdsPerSec: round(holdsPerSec),
    directHoldsPerSec: round(directHoldsPerSec),
    bestAvailablePerSec: round(median(r.actorBest)),
    directBestAvailablePerSec: round(median(r.directBest)),
    halfSoldShare: round(soldShare, 3),
    p50HoldMicros: round(lat.percentile(50)),
    p99HoldMicros: round(lat.percentile(99)),
    stateBytesPer80kSeats: round((stateBytes * 80_000) / layout.seatCount),
    nactOverheadPct: round((1 - holdsPerSec / directHoldsPerSec) * 100, 1),
    rounds,
  };
  printTable('event actor, 80k-seat stadium (medians of 3 rounds)', [
    { measure: 'holds/s through actor (batched)', value: result.holdsPerSec, target: '>= 1,000,000' },
    { measure: 'holds/s calling the domain', value: result.directHoldsPerSec, target: '' },
    { measure: 'best-available/s (half sold)', value: result.bestAvailablePerSec, target: '>= 50,000' },
    { measure: 'p99 hold latency µs (64 clients)', value: result.p99HoldMicros, target: '<= 1,000' },
    {
      measure: 'seat state bytes per 80k seats',
      value: result.stateBytesPer80kSeats,
      target: '<= 2,000,000',
    },
    { measure: 'nact overhead %', value: result.nactOverheadPct, target: '' },
  ]);
  printJson(result);
}
