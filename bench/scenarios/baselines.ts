// onsale against the classic designs, same process, same Postgres, same workload:
// `npm run bench -- baselines [clients] [durationMs]`. Each design runs in a schema made for
// it and dropped afterwards; a design whose holds did not happen (none succeeded, or more
// than 1 % of attempts failed with an error) fails the run.
import { runAllBaselines } from '../baselines/index.ts';
import { runOnsale } from '../baselines/onsale.ts';
import { expectWorkload } from '../baselines/workload.ts';
import { DATABASE_URL } from '../lib/scratch-db.ts';
import { printJson, printTable, round } from '../lib/stats.ts';

export async function run(args: string[]): Promise<void> {
  const clients = Number(args[0] ?? 256);
  const durationMs = Number(args[1] ?? 5000);
  const seats = 80_000;
  const databaseUrl = DATABASE_URL;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  const onsale = await runOnsale({ databaseUrl, clients, durationMs, seats });
  expectWorkload('onsale', onsale);
  const onsaleHoldsPerSec = (onsale.holds * 1000) / onsale.elapsedMs;
  const results = await runAllBaselines({ databaseUrl, redisUrl, clients, durationMs, seats });
  for (const r of results) expectWorkload(r.design, r);
  const best = Math.max(...results.map((r) => r.holdsPerSec));

  printTable(
    `onsale vs classic designs: ${seats} seats, ${clients} clients, ${durationMs} ms each, hold then release`,
    [
      {
        design: 'onsale (actor + group commit)',
        'holds/s': round(onsaleHoldsPerSec),
        'p50 ms': onsale.p50Ms.toFixed(2),
        'p99 ms': onsale.p99Ms.toFixed(2),
        oversold: onsale.oversold,
        'onsale ratio': '1.0',
      },
      ...results.map((r) => ({
        design: r.design,
        'holds/s': round(r.holdsPerSec),
        'p50 ms': r.p50Ms.toFixed(2),
        'p99 ms': r.p99Ms.toFixed(2),
        oversold: r.oversold,
        'onsale ratio': (onsaleHoldsPerSec / r.holdsPerSec).toFixed(1),
      })),
    ],
  );
  const baselines = Object.fromEntries(
    results.map((r) => [
      r.design,
      {
        holdsPerSec: r.holdsPerSec,
        p99Ms: r.p99Ms,
        p50Ms: r.p50Ms,
        ratio: round(onsaleHoldsPerSec / r.holdsPerSec, 1),
      },
    ]),
  );
  printJson({
    bench: 'baselines',
    clients,
    durationMs,
    seats,
    onsaleHoldsPerSec: round(onsaleHoldsPerSec),
    onsaleP50Ms: round(onsale.p50Ms, 2),
    onsaleP99Ms: round(onsale.p99Ms, 2),
    onsaleMeanBatch: round((onsale.attempts * 2) / Math.max(1, onsale.appends), 1),
    baselines,
    bestBaselineRatio: round(onsaleHoldsPerSec / best, 1),
  });
}
