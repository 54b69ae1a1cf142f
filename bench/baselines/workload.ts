// The workload shared by the classic baselines: `clients` concurrent loops, each picking 1–4
// neighbouring seats (mostly hot seats near the stage), attempting a hold, and releasing it
// when it succeeded, until the time is up. Also the seat-table setup and teardown the three
// designs share, and the latency histogram (HdrHistogram, microsecond resolution).
import * as hdr from 'hdr-histogram-js';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { check, expectCount } from '../lib/checks.ts';
import { rng } from '../lib/rng.ts';

export type DesignName = 'forUpdate' | 'optimistic' | 'redisSetNx';

/** held: the hold went through. conflict: lost a race (lock taken, version moved, key taken).
 *  unavailable: a seat was already held when read. */
export type HoldOutcome = 'held' | 'conflict' | 'unavailable';

export interface DesignContext {
  pool: pg.Pool;
  /** Present for the designs that use Redis. */
  redis?: Redis;
  /** A schema made for this run (bench/lib/scratch-db.ts), dropped at the end of it. */
  schema: string;
  eventId: number;
  /** Every Redis key of this run starts with it; cleanup deletes `${keyPrefix}*`. */
  keyPrefix: string;
}

export interface Design {
  hold(seats: readonly number[], holder: string): Promise<HoldOutcome>;
  /** Resolves to the number of seats released (rows this holder still had). */
  release(seats: readonly number[], holder: string): Promise<number>;
  /** Design-specific counters, e.g. optimistic retries. */
  stats?(): Record<string, number>;
}

export interface DesignModule {
  name: DesignName;
  /** Whether the seats table carries an optimistic `version` column. */
  versioned: boolean;
  usesRedis: boolean;
  create(ctx: DesignContext): Design;
}

export const STATUS_AVAILABLE = 0;
export const STATUS_HELD = 1;
export const HOLD_SECONDS = 600;
/** Seats per row of the row-like numbering: a pick never crosses a row. */
export const ROW_LENGTH = 25;
/** The hot block near the stage: the first HOT_SEATS seat numbers get HOT_SHARE of picks. */
export const HOT_SEATS = 2000;
export const HOT_SHARE = 0.8;

/** 1–4 neighbouring seats in one row, ascending; HOT_SHARE of the picks come from the hot block. */
export function pickSeats(rand: () => number, seatCount: number): number[] {
  const hot = Math.min(HOT_SEATS, seatCount);
  const span = rand() < HOT_SHARE ? hot : seatCount;
  const rows = Math.max(1, Math.floor(span / ROW_LENGTH));
  const rowLength = Math.min(ROW_LENGTH, span);
  const row = Math.floor(rand() * rows);
  const n = Math.min(rowLength, 1 + Math.floor(rand() * 4));
  const first = row * rowLength + Math.floor(rand() * (rowLength - n + 1));
  return Array.from({ length: n }, (_, i) => first + i);
}

/** `schema.seats` (in a schema made for the run) holding one event of `seatCount` available seats, built in one statement. */
export async function createSeatsTable(
  pool: pg.Pool,
  schema: string,
  eventId: number,
  seatCount: number,
  versioned: boolean,
): Promise<void> {
  await pool.query(
    `CREATE TABLE ${schema}.seats (
       event_id int NOT NULL,
       seat_no int NOT NULL,
       status smallint NOT NULL DEFAULT ${STATUS_AVAILABLE},
       holder text,
       hold_expires timestamptz${versioned ? ',\n       version int NOT NULL DEFAULT 0' : ''}
     )`,
  );
  await pool.query(
    `INSERT INTO ${schema}.seats (event_id, seat_no, status)
     SELECT $1, g, ${STATUS_AVAILABLE} FROM generate_series(0, $2::int - 1) AS g`,
    [eventId, seatCount],
  );
  // The key is built after the rows are in: one sort instead of 80,000 index insertions.
  await pool.query(`ALTER TABLE ${schema}.seats ADD PRIMARY KEY (event_id, seat_no)`);
  await pool.query(`ANALYZE ${schema}.seats`);
}

/** Deletes every key of this run (SCAN + UNLINK in batches). */
export async function deleteRedisKeys(redis: Redis, keyPrefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Postgres errors that mean "lost a race", not "something is broken". */
export function isConflictError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '55P03' /* lock_not_available */ || code === '40P01' /* deadlock_detected */;
}

/**
 * Puts the seats of one hold back to available (only rows this holder still has), bumping the
 * version where the table has one, and returns how many it released. One autocommit UPDATE;
 * retried if it ever deadlocks.
 */
export async function releaseRows(
  pool: pg.Pool,
  schema: string,
  eventId: number,
  seats: readonly number[],
  holder: string,
  versioned = false,
): Promise<number> {
  const query = {
    name: `${schema}-release`,
    text: `UPDATE ${schema}.seats
           SET status = ${STATUS_AVAILABLE}, holder = NULL, hold_expires = NULL${versioned ? ', version = version + 1' : ''}
           WHERE event_id = $1 AND seat_no = ANY($2::int[]) AND holder = $3`,
    values: [eventId, seats, holder],
  };
  for (let tries = 1; ; tries++) {
    try {
      return (await pool.query(query)).rowCount ?? 0;
    } catch (err) {
      if (tries >= 4 || !isConflictError(err)) throw err;
    }
  }
}

export interface WorkloadOptions {
  clients: number;
  durationMs: number;
  seats: number;
  signal?: AbortSignal;
  seed?: number;
}

export interface WorkloadResult {
  attempts: number;
  holds: number;
  conflicts: number;
  unavailable: number;
  errors: number;
  /** Holds whose seats were taken over by another holder before release: must be 0. */
  oversold: number;
  firstError?: string;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Fails the run unless the workload happened: some holds went through and at least 99 % of
 * the attempts ended without an unexpected error (a design that cannot reach its database
 * loses every attempt fast, and its latency would look like a win).
 */
export function expectWorkload(
  design: string,
  w: Pick<WorkloadResult, 'attempts' | 'holds' | 'errors' | 'firstError'>,
): void {
  check(w.holds > 0, `baselines: ${design}: no hold succeeded in ${w.attempts} attempts`);
  expectCount(
    'baselines',
    `${design} hold attempts ended without an error`,
    w.attempts - w.errors,
    w.attempts,
    {
      minShare: 0.99,
      firstError: w.firstError,
    },
  );
}

/** Microseconds, 1 µs .. 60 s, three significant digits. */
function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * Runs `clients` loops of pick → hold → (release if held) until `durationMs` has passed (or the
 * signal aborts). An attempt under way at the deadline finishes; no new one starts. Rates are
 * over the wall time until the last loop stopped. Hold latency includes waiting for a pooled
 * connection and, for optimistic, its retries; releases are not timed.
 */
export async function runWorkload(design: Design, opts: WorkloadOptions): Promise<WorkloadResult> {
  const histogram = newHistogram();
  const counts = { attempts: 0, holds: 0, conflicts: 0, unavailable: 0, errors: 0, oversold: 0 };

  let firstError: string | undefined;
  const seed = opts.seed ?? 0x5eed;
  const start = performance.now();
  const deadline = start + opts.durationMs;
  const running = () => performance.now() < deadline && !opts.signal?.aborted;

  const loop = async (clientNo: number) => {
    const rand = rng(seed + clientNo * 7919);
    let n = 0;
    while (running()) {
      const seats = pickSeats(rand, opts.seats);
      const holder = `c${clientNo}-${n++}`;
      const t0 = performance.now();
      let outcome: HoldOutcome | 'error';
      try {
        outcome = await design.hold(seats, holder);
      } catch (err) {
        outcome = 'error';
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      const micros = Math.max(1, Math.round((performance.now() - t0) * 1000));
      histogram.recordValue(Math.min(micros, 60_000_000));
      counts.attempts++;
      if (outcome === 'held') counts.holds++;
      else if (outcome === 'conflict') counts.conflicts++;
      else if (outcome === 'unavailable') counts.unavailable++;
      else counts.errors++;
      if (outcome === 'held') {
        try {
          // Holders are unique and only a holder releases its own rows, so a short count means
          // another attempt overwrote a seat this one held: a double hold.
          if ((await design.release(seats, holder)) !== seats.length) counts.oversold++;
        } catch (err) {
          counts.errors++;
          firstError ??= `release: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      // A design that fails at once (server down) must not spin the event loop dry.
      if (outcome === 'error') await new Promise((r) => setTimeout(r, 10));
    }
  };

  await Promise.all(Array.from({ length: opts.clients }, (_, i) => loop(i)));
  const elapsedMs = performance.now() - start;
  const result: WorkloadResult = {
    ...counts,
    firstError,
    elapsedMs,
    p50Ms: counts.attempts ? histogram.getValueAtPercentile(50) / 1000 : Number.NaN,
    p99Ms: counts.attempts ? histogram.getValueAtPercentile(99) / 1000 : Number.NaN,
    maxMs: counts.attempts ? histogram.maxValue / 1000 : Number.NaN,
  };
  histogram.destroy();
  return result;
}
