// Runs the three classic baselines one after another and prints a table, then one JSON line.
//   node --import tsx bench/baselines/cli.ts [--clients=64] [--duration-ms=5000] [--seats=80000]
//        [--designs=forUpdate,optimistic,redisSetNx]
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and REDIS_URL (default
// redis://127.0.0.1:6379) say where the services are. Ctrl-C (or SIGTERM) stops early and still cleans up.
import { parseArgs } from 'node:util';
import { DATABASE_URL } from '../lib/scratch-db.ts';
import { printJson, printTable } from '../lib/stats.ts';
import { type DesignName, designNames, runAllBaselines } from './index.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string' },
    'duration-ms': { type: 'string' },
    seats: { type: 'string' },
    designs: { type: 'string' },
  },
});
const int = (s: string | undefined, name: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const chosen = values.designs?.split(',').map((d) => d.trim()) as DesignName[] | undefined;
for (const d of chosen ?? []) if (!designNames.includes(d)) throw new Error(`unknown design ${d}`);

const opts = {
  databaseUrl: DATABASE_URL,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  clients: int(values.clients, 'clients') ?? 64,
  durationMs: int(values['duration-ms'], 'duration-ms') ?? 5_000,
  seats: int(values.seats, 'seats') ?? 80_000,
};

const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort.abort());

const results = await runAllBaselines({ ...opts, designs: chosen, signal: abort.signal });
printTable(
  `classic baselines: ${opts.seats} seats, ${opts.clients} clients, ${opts.durationMs} ms each, hold then release`,
  results.map((r) => ({
    design: r.design,
    'holds/s': r.holdsPerSec,
    'attempts/s': r.attemptsPerSec,
    conflict: `${(r.conflictRate * 100).toFixed(1)}%`,
    'p50 ms': r.p50Ms.toFixed(2),
    'p99 ms': r.p99Ms.toFixed(2),
    'max ms': r.maxMs.toFixed(1),
    errors: r.errors,
    oversold: r.oversold,
  })),
);
for (const r of results) if (r.firstError) console.error(`${r.design}: first error: ${r.firstError}`);
printJson({
  bench: 'baselines',
  seats: opts.seats,
  clients: opts.clients,
  durationMs: opts.durationMs,
  histogram: 'hdr-histogram-js',
  results,
});
// A design with no hold at all measured nothing: that fails too.
process.exit(results.some((r) => r.errors > 0 || r.oversold > 0 || r.holds === 0) ? 1 : 0);
