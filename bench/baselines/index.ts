// The classic seat-reservation designs onsale is measured against, as a library for the
// benchmark runner: runBaseline(design, opts) sets up a fresh schema with one event of
// `seats` seats, runs the shared hold-then-release workload against it, and cleans up.
import { Redis } from 'ioredis';
import pg from 'pg';
import { dropOrWarn, scratchDb } from '../lib/scratch-db.ts';
import { forUpdate } from './for-update.ts';
import { optimistic } from './optimistic.ts';
import { redisSetNx } from './redis-setnx.ts';
import {
  createSeatsTable,
  type DesignModule,
  type DesignName,
  deleteRedisKeys,
  runWorkload,
} from './workload.ts';

export type { DesignName } from './workload.ts';

export const designs: Record<DesignName, DesignModule> = { forUpdate, optimistic, redisSetNx };
export const designNames = Object.keys(designs) as DesignName[];

export interface BaselineOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Concurrent client loops (default 64); the pg pool has min(clients, 32) connections. */
  clients?: number;
  /** How long the loops keep starting new attempts (default 5,000 ms). */
  durationMs?: number;
  /** Seats in the event (default 80,000). */
  seats?: number;
  /** Stops the loops early; cleanup still runs. */
  signal?: AbortSignal;
}

export interface BaselineResult {
  design: DesignName;
  /** Successful holds per second of wall time. */
  holdsPerSec: number;
  /** Hold attempts (successful or not) per second. */
  attemptsPerSec: number;
  /** Share of attempts that did not get the seats (lost a race or found them held). */
  conflictRate: number;
  /** Hold-attempt latency percentiles, HdrHistogram at microsecond resolution. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  attempts: number;
  holds: number;
  /** Lost races: lock taken (55P03), versions moved after all retries, Redis key taken. */
  conflicts: number;
  /** Seats already held when read. */
  unavailable: number;
  /** Unexpected errors (should be 0); see firstError. */
  errors: number;
  /** Holds whose seats another holder took before release (a double hold): must be 0. */
  oversold: number;
  firstError?: string;
  /** Counters only one design has (optimistic: retries after a short row count). */
  designStats: Record<string, number>;
  /** Seats still held / Redis keys still present after the run: both should be 0. */
  leftoverHeld: number;
  leftoverKeys: number;
  clients: number;
  elapsedMs: number;
  setupMs: number;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export async function runBaseline(design: DesignName, opts: BaselineOptions): Promise<BaselineResult> {
  const module = designs[design];
  if (!module) throw new Error(`unknown baseline design: ${design}`);
  const clients = opts.clients ?? 64;
  const durationMs = opts.durationMs ?? 5_000;
  const seats = opts.seats ?? 80_000;
  const eventId = 1;
  // A schema made for this run alone, dropped at the end (also when the run fails).
  const scratch = await scratchDb('postgres', `bench_${design.toLowerCase()}`, opts.databaseUrl);
  const schema = scratch.schema!;
  const keyPrefix = `onsale-bench:${design}:${process.pid}:${Date.now().toString(36)}:`;

  const poolSize = Math.min(clients, 32);
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: poolSize });
  pool.on('error', () => {}); // an idle client dying is reported by the next query instead
  const redis = module.usesRedis ? new Redis(opts.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
  redis?.on('error', () => {});

  try {
    const setupStart = performance.now();
    await createSeatsTable(pool, schema, eventId, seats, module.versioned);
    // Open every pooled connection (and Redis) now, so connecting is not timed as a hold.
    await Promise.all(Array.from({ length: poolSize }, () => pool.query('SELECT 1')));
    await redis?.ping();
    const setupMs = performance.now() - setupStart;

    const ctx = { pool, redis, schema, eventId, keyPrefix };
    const impl = module.create(ctx);
    const w = await runWorkload(impl, { clients, durationMs, seats, signal: opts.signal });

    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${schema}.seats WHERE status <> 0 OR holder IS NOT NULL`,
    );
    const perSec = (n: number) => (w.elapsedMs > 0 ? (n * 1000) / w.elapsedMs : 0);
    return {
      design,
      holdsPerSec: round(perSec(w.holds), 1),
      attemptsPerSec: round(perSec(w.attempts), 1),
      conflictRate: w.attempts ? round((w.conflicts + w.unavailable) / w.attempts, 4) : 0,
      p50Ms: round(w.p50Ms, 3),
      p99Ms: round(w.p99Ms, 3),
      maxMs: round(w.maxMs, 3),
      attempts: w.attempts,
      holds: w.holds,
      conflicts: w.conflicts,
      unavailable: w.unavailable,
      errors: w.errors,
      oversold: w.oversold,
      ...(w.firstError ? { firstError: w.firstError } : {}),
      designStats: impl.stats?.() ?? {},
      leftoverHeld: rows[0].n,
      leftoverKeys: redis ? await deleteRedisKeys(redis, keyPrefix) : 0,
      clients,
      elapsedMs: Math.round(w.elapsedMs),
      setupMs: Math.round(setupMs),
    };
  } finally {
    // Best effort each: one failing cleanup must not skip the others.
    if (redis) {
      await deleteRedisKeys(redis, keyPrefix).catch(() => {});
      redis.disconnect();
    }
    await pool.end().catch(() => {});
    await dropOrWarn(scratch);
  }
}

/** Runs the three designs one after another (never concurrently: they share one Postgres). */
export async function runAllBaselines(
  opts: BaselineOptions & { designs?: DesignName[] },
): Promise<BaselineResult[]> {
  const results: BaselineResult[] = [];
  for (const design of opts.designs ?? designNames) {
    if (opts.signal?.aborted) break;
    results.push(await runBaseline(design, opts));
  }
  return results;
}
