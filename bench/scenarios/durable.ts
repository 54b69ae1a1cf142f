// The event actor on the real durable journal, Postgres server and embedded PGlite, on the
// 81,450-seat stadium: holds acknowledged after their journal batch commits, under 2,000
// concurrent clients (closed loop) and at a fixed offered rate (open loop); and how long a
// new owner takes to recover the event from a snapshot plus 1,000,000 journal entries, and
// from a snapshot alone.
//
// Postgres is DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema
// made for the run and dropped at the end, and skipped with a notice when unreachable; PGlite
// runs in a fresh temporary directory, removed at the end (bench/lib/scratch-db.ts). A run
// fails unless 99 % of the holds offered were acknowledged and the recovered version is the
// one written.
//
//   npm run bench -- durable          full run: 3 rounds of each, 1M entries (about 2 minutes here)
//   npm run bench -- durable quick    1 round, shorter runs, 200k entries
//   options (key=value, after or instead of `quick`): adapters=postgres,pglite clients=2000
//     seconds=5 warmup=1 rate=20000 rateSeconds=4 entries=1000000 row=10000 reps=3
//     snapshotEvery=50000 phases=load,rate,recovery
import pino from 'pino';
import { Directory } from '../../src/actors/directory.ts';
import type { EventHandle } from '../../src/actors/event-handle.ts';
import type { Envelope } from '../../src/actors/event-port.ts';
import type { RuntimeDeps } from '../../src/actors/event-runtime.ts';
import type {
  JournalEntry,
  JournalPort,
  SnapshotPort,
  StoredEntry,
  StoredSnapshot,
} from '../../src/actors/ports.ts';
import { decodeSnapshot } from '../../src/actors/snapshot-envelope.ts';
import { apply } from '../../src/domain/apply.ts';
import { compileChart } from '../../src/domain/chart.ts';
import { defaultPrices, generateChart } from '../../src/domain/chart-generator.ts';
import type { Command } from '../../src/domain/commands.ts';
import { AVAILABLE } from '../../src/domain/seat-status.ts';
import type { Db } from '../../src/persistence/db.ts';
import { DbJournal } from '../../src/persistence/journal.ts';
import { DbSnapshots } from '../../src/persistence/snapshots.ts';
import { check, expectCount } from '../lib/checks.ts';
import { rng } from '../lib/rng.ts';
import { adminQuery, DATABASE_URL, openScratch, postgresUnreachable } from '../lib/scratch-db.ts';
import { Latencies, median, printJson, printTable, round } from '../lib/stats.ts';

const chart = generateChart('stadium', 'bench-stadium');
const layout = compileChart(chart);
const prices = defaultPrices(chart);
/** Ordinary seats (no accessibility or view flag): what the clients hold. */
const ordinary = Array.from({ length: layout.seatCount }, (_, s) => s).filter(
  (s) => layout.seatFlags[s] === 0,
);
// Warnings go to stderr: stdout carries the table and the JSON line.
const log = pino({ level: 'warn' }, pino.destination(2));
/** Open holds kept while the recovery journal is written: the map is never empty. */
const WINDOW = 2000;
/** Share of the holds offered that must be acknowledged (clients hold disjoint seats). */
const MIN_SHARE = 0.99;

interface Options {
  adapters: string[];
  clients: number;
  seconds: number;
  warmup: number;
  rate: number;
  rateSeconds: number;
  entries: number;
  row: number;
  reps: number;
  /** Snapshot cadence during the load runs (the runtime's defaults: 50,000 commands / 30 s). */
  snapshotEvery: number;
  /** Which parts to run: load (closed loop), rate (open loop), recovery. */
  phases: string[];
}

function options(args: string[]): Options {
  const quick = args.includes('quick');
  const o: Options = {
    adapters: ['postgres', 'pglite'],
    clients: 2000,
    seconds: quick ? 2 : 5,
    warmup: quick ? 0.5 : 1,
    rate: 20_000,
    rateSeconds: quick ? 2 : 4,
    entries: quick ? 200_000 : 1_000_000,
    row: 10_000,
    reps: quick ? 1 : 3,
    snapshotEvery: 50_000,
    phases: ['load', 'rate', 'recovery'],
  };
  for (const a of args) {
    const [k, v] = a.split('=');
    if (v === undefined) continue;
    if (k === 'adapters') o.adapters = v.split(',');
    else if (k === 'phases') o.phases = v.split(',');
    else if (k in o) (o as unknown as Record<string, number>)[k] = Number(v);
    else throw new Error(`unknown option ${k}`);
  }
  return o;
}

/** 1–4 seats from a client's own slice of the ordinary seats: clients never collide. */
function slicePicker(slices: number): (slice: number, rand: () => number) => number[] {
  const width = Math.floor(ordinary.length / slices);
  if (width < 4) throw new Error(`too many clients for ${ordinary.length} seats`);
  return (slice, rand) => {
    const n = 1 + Math.floor(rand() * 4);
    const start = slice * width + Math.floor(rand() * (width - n + 1));
    return ordinary.slice(start, start + n);
  };
}

// ---------------------------------------------------------------------------------------
// Instrumented ports: the real DbJournal / DbSnapshots, with counters and timers around them.

class JournalStats {
  appends = 0;
  entries = 0;
  appendMs = new Latencies('journal append');
  readMs = 0;
  applyMs = 0;
  claimMs = 0;
  /** Appends that complete inside [from, to] are counted. */
  from = 0;
  to = Number.POSITIVE_INFINITY;

  reset(from: number, to: number): void {
    this.appends = 0;
    this.entries = 0;
    this.appendMs = new Latencies('journal append');
    this.from = from;
    this.to = to;
  }
}

class CountingJournal implements JournalPort {
  readonly stats = new JournalStats();
  constructor(private readonly inner: JournalPort) {}

  async claim(eventId: string): Promise<number> {
    const t0 = performance.now();
    const epoch = await this.inner.claim(eventId);
    this.stats.claimMs = performance.now() - t0;
    return epoch;
  }

  async append(eventId: string, epoch: number, entries: JournalEntry[], liveHolds?: number): Promise<void> {
    const t0 = performance.now();
    await this.inner.append(eventId, epoch, entries, liveHolds);
    const t1 = performance.now();
    const s = this.stats;
    if (t1 >= s.from && t1 <= s.to) {
      s.appends++;
      s.entries += entries.length;
      s.appendMs.record(t1 - t0);
    }
  }

  async read(
    eventId: string,
    afterSeq: number,
    onEntries: (entries: StoredEntry[]) => unknown,
  ): Promise<void> {
    const t0 = performance.now();
    let applyMs = 0;
    await this.inner.read(eventId, afterSeq, (entries) => {
      const a = performance.now();
      try {
        return onEntries(entries);
      } finally {
        applyMs += performance.now() - a;
      }
    });
    this.stats.readMs = performance.now() - t0;
    this.stats.applyMs = applyMs;
  }
}

class TimedSnapshots implements SnapshotPort {
  latestMs = 0;
  latestBytes = 0;
  saves = 0;
  constructor(private readonly inner: SnapshotPort) {}

  async save(eventId: string, snapshot: StoredSnapshot): Promise<void> {
    await this.inner.save(eventId, snapshot);
    this.saves++;
  }

  async latest(eventId: string): Promise<StoredSnapshot | null> {
    const t0 = performance.now();
    const snap = await this.inner.latest(eventId);
    this.latestMs = performance.now() - t0;
    this.latestBytes = snap?.bytes.length ?? 0;
    return snap;
  }
}

interface Event {
  dir: Directory;
  handle: EventHandle;
  journal: CountingJournal;
  snapshots: TimedSnapshots;
}

function openEvent(db: Db, eventId: string, deps: Partial<RuntimeDeps> = {}): Event {
  const journal = new CountingJournal(new DbJournal(db));
  const snapshots = new TimedSnapshots(new DbSnapshots(db));
  const dir = new Directory({
    journal,
    snapshots,
    log,
    snapshotEvery: 50_000,
    snapshotIntervalMs: 30_000,
    ...deps,
  });
  const handle = dir.open({ eventId, layout, prices });
  return { dir, handle, journal, snapshots };
}

// ---------------------------------------------------------------------------------------
// (1) + (2): closed loop, many clients, each hold acknowledged only once durable.

interface LoadResult {
  holdsPerSec: number;
  commandsPerSec: number;
  p50AckMs: number;
  p99AckMs: number;
  rejected: number;
  meanBatch: number;
  appendsPerSec: number;
  p50CommitMs: number;
  p99CommitMs: number;
}

async function closedLoop(db: Db, eventId: string, o: Options): Promise<LoadResult> {
  const ev = openEvent(db, eventId, { snapshotEvery: o.snapshotEvery });
  const { handle } = ev;
  await handle.query('availability', {}); // recovered and ready
  const pick = slicePicker(o.clients);
  const start = performance.now();
  const from = start + o.warmup * 1000;
  const to = from + o.seconds * 1000;
  ev.journal.stats.reset(from, to);
  const lat = new Latencies('hold acknowledgement (closed loop)');
  let holds = 0;
  let commands = 0;
  let rejected = 0;
  const client = async (c: number) => {
    const rand = rng(c + 1);
    const fanId = `fan${c}`;
    for (let n = 0; performance.now() < to; n++) {
      const holdId = `c${c}-${n}`;
      const t0 = performance.now();
      const out = await handle.submitOne({ type: 'hold', holdId, fanId, seats: pick(c, rand) });
      const t1 = performance.now();
      const counted = t1 >= from && t1 <= to;
      if (!out.ok) {
        if (counted) rejected++;
        continue;
      }
      if (counted) {
        holds++;
        commands++;
        lat.record(t1 - t0);
      }
      const rel = await handle.submitOne({ type: 'release', holdId, fanId });
      const t2 = performance.now();
      if (rel.ok && t2 >= from && t2 <= to) commands++;
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
  await ev.dir.close();
  expectCount('durable', `holds were acknowledged (${eventId}, closed loop)`, holds, holds + rejected, {
    minShare: MIN_SHARE,
  });
  const st = ev.journal.stats;
  return {
    holdsPerSec: holds / o.seconds,
    commandsPerSec: commands / o.seconds,
    p50AckMs: lat.percentile(50),
    p99AckMs: lat.percentile(99),
    rejected,
    meanBatch: st.entries / Math.max(1, st.appends),
    appendsPerSec: st.appends / o.seconds,
    p50CommitMs: st.appendMs.percentile(50),
    p99CommitMs: st.appendMs.percentile(99),
  };
}

// ---------------------------------------------------------------------------------------
// (2b): open loop at a fixed offered rate; latency counted from when the hold was due, so a
// stall is charged to every hold that should have gone out during it.

interface RateResult {
  offeredPerSec: number;
  achievedPerSec: number;
  p50AckMs: number;
  p99AckMs: number;
  starved: number;
  meanBatch: number;
}

async function openLoop(db: Db, eventId: string, o: Options): Promise<RateResult> {
  const ev = openEvent(db, eventId, { snapshotEvery: o.snapshotEvery });
  const { handle } = ev;
  await handle.query('availability', {}); // recovered and ready
  const slots = o.clients;
  const pick = slicePicker(slots);
  const free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  const rands = Array.from({ length: slots }, (_, i) => rng(1000 + i));
  const lat = new Latencies('hold acknowledgement (open loop)');
  const total = Math.round(o.rate * (o.warmup + o.rateSeconds));
  const t0 = performance.now();
  const from = t0 + o.warmup * 1000;
  const to = from + o.rateSeconds * 1000;
  ev.journal.stats.reset(from, to);
  let issued = 0;
  let acked = 0;
  let held = 0;
  let refused = 0;
  let firstError: string | null = null;
  let starved = 0;
  let outstanding = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const fire = async (slot: number, n: number, due: number) => {
    outstanding++;
    const holdId = `r${n}`;
    const fanId = `slot${slot}`;
    const out = await handle.submitOne({ type: 'hold', holdId, fanId, seats: pick(slot, rands[slot]) });
    const t = performance.now();
    if (out.ok) held++;
    else {
      refused++;
      firstError ??= out.error.code;
    }
    if (out.ok && due >= from && due <= to) lat.record(t - due);
    if (out.ok && t >= from && t <= to) acked++;
    if (out.ok) await handle.submitOne({ type: 'release', holdId, fanId });
    free.push(slot);
    if (--outstanding === 0 && issued >= total) finish();
  };
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * o.rate) / 1000));
    while (issued < due) {
      const at = t0 + (issued * 1000) / o.rate;
      const n = issued++;
      const slot = free.pop();
      if (slot === undefined) {
        if (at >= from) starved++;
        continue;
      }
      void fire(slot, n, at);
    }
    if (issued >= total) {
      clearInterval(timer);
      if (outstanding === 0) finish();
    }
  }, 1);
  await finished;
  await ev.dir.close();
  expectCount('durable', `holds sent were acknowledged (${eventId}, open loop)`, held, held + refused, {
    minShare: MIN_SHARE,
    firstError,
  });
  const st = ev.journal.stats;
  return {
    offeredPerSec: o.rate,
    achievedPerSec: acked / o.rateSeconds,
    p50AckMs: lat.percentile(50),
    p99AckMs: lat.percentile(99),
    starved,
    meanBatch: st.entries / Math.max(1, st.appends),
  };
}

// ---------------------------------------------------------------------------------------
// (3) + (4): recovery.

/** Commands that sell about half the map in groups of 1–6, one order per fan. */
function halfSell(rand: () => number): Envelope[] {
  const out: Envelope[] = [];
  let order = 0;
  for (let row = 0; row < layout.rowCount; row++) {
    const start = layout.rowStart[row];
    const end = start + layout.rowLength[row];
    for (let s = start; s < end; ) {
      const n = Math.min(end - s, 1 + Math.floor(rand() * 6));
      const seats = Array.from({ length: n }, (_, i) => s + i).filter((x) => layout.seatFlags[x] === 0);
      if (seats.length > 0 && rand() < 0.5) {
        const id = `sold${order++}`;
        out.push({ command: { type: 'hold', holdId: id, fanId: id, seats } });
        out.push({ command: { type: 'book', holdId: id, fanId: id, orderId: id } });
      }
      s += n;
    }
  }
  return out;
}

interface RecoveryTiming {
  ms: number;
  claimMs: number;
  snapshotLoadMs: number;
  snapshotBytes: number;
  journalReadMs: number;
  applyMs: number;
  version: number;
}

/** A new owner opens the event; done when a read reaches the recovered state. */
async function recoverOnce(db: Db, eventId: string): Promise<{ t: RecoveryTiming; ev: Event }> {
  const t0 = performance.now();
  const ev = openEvent(db, eventId);
  let timer: NodeJS.Timeout | undefined;
  const version = await Promise.race([
    ev.handle.query('availability', {}).then((a) => a.version),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`recovery of ${eventId} took over 120 s`)), 120_000);
    }),
  ]).finally(() => clearTimeout(timer));
  const ms = performance.now() - t0;
  const j = ev.journal.stats;
  return {
    ev,
    t: {
      ms,
      claimMs: j.claimMs,
      snapshotLoadMs: ev.snapshots.latestMs,
      snapshotBytes: ev.snapshots.latestBytes,
      journalReadMs: j.readMs,
      applyMs: j.applyMs,
      version,
    },
  };
}

interface RecoveryResult {
  baseVersion: number;
  writeMs: number;
  journal: RecoveryTiming[];
  snapshot: RecoveryTiming[];
}

async function recovery(db: Db, eventId: string, o: Options): Promise<RecoveryResult> {
  // A half-sold map, made durable the ordinary way and snapshotted by drain().
  const base = openEvent(db, eventId, {
    snapshotEvery: Number.MAX_SAFE_INTEGER,
    snapshotIntervalMs: Number.MAX_SAFE_INTEGER,
  });
  const sell = halfSell(rng(99));
  for (let i = 0; i < sell.length; i += 5000) {
    const outs = await base.handle.submit(sell.slice(i, i + 5000));
    const bad = outs.find((x) => !x.ok);
    if (bad) throw new Error(`half-sell rejected: ${JSON.stringify(bad)}`);
  }
  // Every submit above has resolved, so the durable map is the live one.
  const seats = await base.handle.query('seatStatuses', {});
  const baseVersion = seats.version;
  const free = ordinary.filter((x) => seats.status[x] === AVAILABLE);
  await base.handle.drain();
  await base.dir.close();

  // Then `entries` commands after the snapshot, decided here as the actor decides them (on
  // the snapshot's state) and their events appended straight to the journal in rows of
  // `row` entries: release hold i-WINDOW, hold i, over disjoint groups of the free seats, so
  // every entry replays (a group comes round again only long after its hold was released).
  const snap = await new DbSnapshots(db).latest(eventId);
  if (!snap || snap.version !== baseVersion)
    throw new Error(`snapshot at version ${snap?.version ?? 'none'}, expected ${baseVersion}`);
  const state = decodeSnapshot(layout, snap.bytes).state;
  const groups: number[][] = [];
  const rand = rng(7);
  for (let i = 0; i + 4 <= free.length; ) {
    const n = 1 + Math.floor(rand() * 4);
    groups.push(free.slice(i, i + n));
    i += n;
  }
  if (groups.length <= WINDOW) throw new Error('not enough free seats for the recovery journal');
  const t0 = performance.now();
  const journal = new DbJournal(db);
  const epoch = await journal.claim(eventId);
  const at = Date.now();
  let seq = baseVersion;
  let batch: JournalEntry[] = [];
  const push = async (command: Command) => {
    const out = apply(state, command, at);
    if (!out.ok) throw new Error(`recovery journal: ${command.type} refused: ${out.error.code}`);
    batch.push({ seq: ++seq, at, event: out.event });
    if (batch.length === o.row) {
      await journal.append(eventId, epoch, batch);
      batch = [];
    }
  };
  for (let i = 0; seq - baseVersion < o.entries; i++) {
    if (i >= WINDOW) {
      const j = i - WINDOW;
      await push({ type: 'release', holdId: `r${j}`, fanId: `f${j % WINDOW}` });
      if (seq - baseVersion >= o.entries) break;
    }
    await push({ type: 'hold', holdId: `r${i}`, fanId: `f${i % WINDOW}`, seats: groups[i % groups.length] });
  }
  if (batch.length > 0) await journal.append(eventId, epoch, batch);
  const writeMs = performance.now() - t0;
  const expected = baseVersion + o.entries;

  const journalRuns: RecoveryTiming[] = [];
  for (let r = 0; r < o.reps; r++) {
    if (global.gc) global.gc();
    const { t, ev } = await recoverOnce(db, eventId);
    if (t.version !== expected) throw new Error(`recovered version ${t.version}, expected ${expected}`);
    journalRuns.push(t);
    // close() drains and writes a snapshot of the recovered state; the last one is kept for
    // the snapshot-only runs, the others are removed so the next owner replays again.
    await ev.handle.drain();
    await ev.dir.close();
    if (r < o.reps - 1) {
      await db.query('DELETE FROM snapshots WHERE event_id = $1 AND version > $2', [eventId, baseVersion]);
    }
  }

  const snapshotRuns: RecoveryTiming[] = [];
  for (let r = 0; r < o.reps; r++) {
    if (global.gc) global.gc();
    const { t, ev } = await recoverOnce(db, eventId);
    if (t.version !== expected) throw new Error(`recovered version ${t.version}, expected ${expected}`);
    snapshotRuns.push(t);
    await ev.dir.close();
  }
  return { baseVersion, writeMs, journal: journalRuns, snapshot: snapshotRuns };
}

// ---------------------------------------------------------------------------------------
// Adapters.

interface Adapter {
  name: 'postgres' | 'pglite';
  db: Db;
  cleanup(): Promise<void>;
}

/** Postgres's synchronous_commit, or null (with a notice) when Postgres is unreachable. */
async function postgresSync(): Promise<string | null> {
  const why = await postgresUnreachable();
  if (why) {
    console.log(`[skip] Postgres at ${DATABASE_URL} unreachable (${why}); skipping it`);
    return null;
  }
  const { rows } = await adminQuery("SELECT current_setting('synchronous_commit') AS sc");
  return (rows[0] as { sc?: string } | undefined)?.sc ?? '?';
}

/** The adapter on a database made for this run (a new schema, a new directory), or null when skipped. */
async function openAdapter(name: string): Promise<Adapter | null> {
  if (name !== 'postgres' && name !== 'pglite') throw new Error(`unknown adapter ${name}`);
  if (name === 'postgres') {
    const sync = await postgresSync();
    if (sync === null) return null;
    if (sync !== 'on') console.log(`[note] Postgres synchronous_commit=${sync}: commits are not fsynced`);
  }
  return openScratch(name, 'bench_durable');
}

type Figure = number | null;

interface Run {
  adapter: 'postgres' | 'pglite';
  durableHoldsPerSec: Figure;
  commandsPerSec: Figure;
  p50AckMs: Figure;
  p99AckMs: Figure;
  meanBatch: Figure;
  appendsPerSec: Figure;
  p50CommitMs: Figure;
  p99CommitMs: Figure;
  rejected: Figure;
  p50MsAt20k: Figure;
  p99MsAt20k: Figure;
  achievedAt20k: Figure;
  starvedAt20k: Figure;
  recoveryMs1M: Figure;
  recoveryMsSnapshot: Figure;
  recovery1M: Record<string, number> | null;
  recoverySnapshot: Record<string, number> | null;
  journalWriteMs: Figure;
}

/** Median, rounded; null when the phase did not run. */
function med(xs: number[], digits = 0): Figure {
  return xs.length === 0 ? null : round(median(xs), digits);
}

function medianTiming(ts: RecoveryTiming[]): Record<string, number> | null {
  if (ts.length === 0) return null;
  const keys = ['ms', 'claimMs', 'snapshotLoadMs', 'journalReadMs', 'applyMs'] as const;
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = round(median(ts.map((t) => t[k])), 1);
  out.snapshotBytes = ts[0].snapshotBytes;
  return out;
}

async function benchAdapter(a: Adapter, o: Options): Promise<Run> {
  const loads: LoadResult[] = [];
  const rates: RateResult[] = [];
  let rec: RecoveryResult | null = null;
  if (o.phases.includes('load')) {
    for (let r = 0; r < o.reps; r++) {
      global.gc?.();
      loads.push(await closedLoop(a.db, `durable-load-${r}`, o));
    }
  }
  if (o.phases.includes('rate')) {
    for (let r = 0; r < o.reps; r++) {
      global.gc?.();
      rates.push(await openLoop(a.db, `durable-rate-${r}`, o));
    }
  }
  if (o.phases.includes('recovery')) rec = await recovery(a.db, 'durable-recovery', o);
  const r1 = medianTiming(rec?.journal ?? []);
  const rs = medianTiming(rec?.snapshot ?? []);
  const sum = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((x, y) => x + y, 0));
  return {
    adapter: a.name,
    durableHoldsPerSec: med(loads.map((l) => l.holdsPerSec)),
    commandsPerSec: med(loads.map((l) => l.commandsPerSec)),
    p50AckMs: med(
      loads.map((l) => l.p50AckMs),
      2,
    ),
    p99AckMs: med(
      loads.map((l) => l.p99AckMs),
      2,
    ),
    meanBatch: med(
      loads.map((l) => l.meanBatch),
      1,
    ),
    appendsPerSec: med(loads.map((l) => l.appendsPerSec)),
    p50CommitMs: med(
      loads.map((l) => l.p50CommitMs),
      2,
    ),
    p99CommitMs: med(
      loads.map((l) => l.p99CommitMs),
      2,
    ),
    rejected: sum(loads.map((l) => l.rejected)),
    p50MsAt20k: med(
      rates.map((r) => r.p50AckMs),
      2,
    ),
    p99MsAt20k: med(
      rates.map((r) => r.p99AckMs),
      2,
    ),
    achievedAt20k: med(rates.map((r) => r.achievedPerSec)),
    starvedAt20k: sum(rates.map((r) => r.starved)),
    recoveryMs1M: r1?.ms ?? null,
    recoveryMsSnapshot: rs?.ms ?? null,
    recovery1M: r1,
    recoverySnapshot: rs,
    journalWriteMs: rec ? round(rec.writeMs) : null,
  };
}

export async function run(args: string[]): Promise<void> {
  const o = options(args);
  const runs: Run[] = [];
  const skipped: string[] = [];
  for (const name of o.adapters) {
    const a = await openAdapter(name);
    if (!a) {
      skipped.push(name);
      continue;
    }
    try {
      runs.push(await benchAdapter(a, o));
    } finally {
      await a.cleanup();
    }
  }

  const entriesLabel = o.entries >= 1_000_000 ? `${o.entries / 1_000_000}M` : `${round(o.entries / 1000)}k`;
  const rateLabel = `${round(o.rate / 1000)}k/s`;
  const show = (x: Figure | undefined) => (x === null || x === undefined ? '–' : x);
  /** '' without a target, else whether the figure meets it. */
  const met = (x: Figure | undefined, ok: (v: number) => boolean) =>
    x === null || x === undefined ? '' : ok(x) ? 'yes' : 'NO';
  for (const r of runs) {
    const pgOnly = r.adapter === 'postgres';
    const r1 = r.recovery1M;
    printTable(
      `durable event actor on ${r.adapter}, ${layout.seatCount}-seat stadium (medians of ${o.reps})`,
      [
        {
          measure: `durable holds/s (${o.clients} clients: hold→ack→release→ack)`,
          value: show(r.durableHoldsPerSec),
          target: pgOnly ? '>= 50,000' : '',
          met: pgOnly ? met(r.durableHoldsPerSec, (v) => v >= 50_000) : '',
        },
        {
          measure: 'commands/s acknowledged (holds + releases)',
          value: show(r.commandsPerSec),
          target: '',
          met: '',
        },
        { measure: 'p50 ack ms (submit → durable reply)', value: show(r.p50AckMs), target: '', met: '' },
        {
          measure: 'p99 ack ms',
          value: show(r.p99AckMs),
          target: pgOnly ? '<= 25' : '',
          met: pgOnly ? met(r.p99AckMs, (v) => v <= 25) : '',
        },
        { measure: 'mean journal batch (entries per append)', value: show(r.meanBatch), target: '', met: '' },
        { measure: 'appends/s', value: show(r.appendsPerSec), target: '', met: '' },
        {
          measure: 'p50 / p99 append (commit) ms',
          value: `${show(r.p50CommitMs)} / ${show(r.p99CommitMs)}`,
          target: '',
          met: '',
        },
        {
          measure: `p50 / p99 ack ms at ${rateLabel} offered (open loop)`,
          value: `${show(r.p50MsAt20k)} / ${show(r.p99MsAt20k)}`,
          target: pgOnly ? 'p99 <= 25' : '',
          met: pgOnly ? met(r.p99MsAt20k, (v) => v <= 25) : '',
        },
        {
          measure: `holds/s achieved at ${rateLabel} offered`,
          value: show(r.achievedAt20k),
          target: '',
          met: '',
        },
        {
          measure: `recovery ms, snapshot + ${entriesLabel} entries`,
          value: show(r.recoveryMs1M),
          target: '<= 3,000',
          met: o.entries >= 1_000_000 ? met(r.recoveryMs1M, (v) => v <= 3000) : '(fewer entries)',
        },
        {
          measure: '  of which journal fetch + decode ms',
          value: r1 ? round(r1.journalReadMs - r1.applyMs) : '–',
          target: '',
          met: '',
        },
        { measure: '  of which replay (apply) ms', value: r1 ? round(r1.applyMs) : '–', target: '', met: '' },
        {
          measure: '  of which snapshot load ms',
          value: r1 ? round(r1.snapshotLoadMs) : '–',
          target: '',
          met: '',
        },
        { measure: 'recovery ms, snapshot only', value: show(r.recoveryMsSnapshot), target: '', met: '' },
        {
          measure: 'snapshot bytes (half-sold map)',
          value: show(r.recoverySnapshot?.snapshotBytes),
          target: '',
          met: '',
        },
        {
          measure: `writing the ${entriesLabel}-entry journal ms (${o.row}/row)`,
          value: show(r.journalWriteMs),
          target: '',
          met: '',
        },
      ],
    );
  }
  for (const s of skipped) console.log(`\n${s}: skipped (unreachable)`);
  check(
    runs.length > 0,
    `durable: no adapter ran (asked for ${o.adapters.join(', ')}; skipped ${skipped.join(', ')})`,
  );

  const top = runs.find((r) => r.adapter === 'postgres') ?? runs[0];
  printJson({
    bench: 'durable',
    seats: layout.seatCount,
    clients: o.clients,
    entries: o.entries,
    journalRow: o.row,
    reps: o.reps,
    skipped,
    ...(top
      ? {
          adapter: top.adapter,
          durableHoldsPerSec: top.durableHoldsPerSec,
          p50AckMs: top.p50AckMs,
          p99AckMs: top.p99AckMs,
          p99MsAt20k: top.p99MsAt20k,
          recoveryMs1M: top.recoveryMs1M,
          recoveryMsSnapshot: top.recoveryMsSnapshot,
        }
      : {}),
    runs,
  });
}
