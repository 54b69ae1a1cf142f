// onsale under the baselines' workload: the same seat numbering (rows of 25, hot block near
// the stage), the same client loops and histogram, against the same Postgres, but holds go
// through an event actor whose journal group-commits to Postgres. A hold is acknowledged
// only after its journal batch committed, exactly like the baselines' COMMIT.
import pino from 'pino';
import { Directory } from '../../src/actors/directory.ts';
import { type Chart, compileChart } from '../../src/domain/chart.ts';
import { DbJournal } from '../../src/persistence/journal.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { DbSnapshots } from '../../src/persistence/snapshots.ts';
import { dropOrWarn, scratchDb } from '../lib/scratch-db.ts';
import { type Design, ROW_LENGTH, runWorkload, type WorkloadResult } from './workload.ts';

/** A plain chart with the baselines' numbering: seat n is in row floor(n / 25). */
function rowChart(seats: number): Chart {
  const rows = [];
  for (let r = 0; r * ROW_LENGTH < seats; r++) {
    const n = Math.min(ROW_LENGTH, seats - r * ROW_LENGTH);
    rows.push({
      label: String(r + 1),
      seats: Array.from({ length: n }, (_, i) => ({
        id: `r${r + 1}-${i + 1}`,
        number: String(i + 1),
        x: i,
        y: r,
        category: 'A',
      })),
    });
  }
  return {
    id: 'baseline-rows',
    name: 'rows',
    focal: { x: 12, y: -5 },
    categories: [{ id: 'A', name: 'A' }],
    sections: [{ id: 'S', name: 'S', rows }],
    gaAreas: [],
  };
}

export async function runOnsale(opts: {
  databaseUrl: string;
  clients: number;
  durationMs: number;
  seats: number;
}): Promise<WorkloadResult & { appends: number }> {
  // A schema made for this run alone, dropped at the end (also when the run fails).
  const scratch = await scratchDb('postgres', 'bench_onsale', opts.databaseUrl);
  const db = await openDb(scratch.config).catch(async (e: unknown) => {
    await dropOrWarn(scratch);
    throw e;
  });
  let appends = 0;
  const journal = new DbJournal(db);
  const counted = {
    claim: (id: string) => journal.claim(id),
    read: journal.read.bind(journal),
    append: (...args: Parameters<DbJournal['append']>) => {
      appends++;
      return journal.append(...args);
    },
  };
  const dir = new Directory({
    journal: counted,
    snapshots: new DbSnapshots(db),
    log: pino({ level: 'warn' }),
    snapshotEvery: Number.MAX_SAFE_INTEGER,
    snapshotIntervalMs: Number.MAX_SAFE_INTEGER,
  });
  try {
    const handle = dir.open({
      eventId: 'baseline',
      layout: compileChart(rowChart(opts.seats)),
      prices: { A: 5000 },
      config: { maxPerFan: 10, maxPerOrder: 10 },
    });
    await handle.query('availability', {}); // recovered and ready
    const design: Design = {
      async hold(seats, holder) {
        const out = await handle.submitOne({
          type: 'hold',
          holdId: holder,
          fanId: holder,
          seats: [...seats],
        });
        if (out.ok) return 'held';
        if (out.error.code === 'SEAT_UNAVAILABLE') return 'unavailable';
        if (out.error.code === 'UNAVAILABLE') throw new Error(out.error.message);
        return 'conflict';
      },
      async release(_seats, holder) {
        const out = await handle.submitOne({ type: 'release', holdId: holder, fanId: holder });
        return out.ok ? (out.value.released as number) : 0;
      },
    };
    const result = await runWorkload(design, {
      clients: opts.clients,
      durationMs: opts.durationMs,
      seats: opts.seats,
    });
    return { ...result, appends };
  } finally {
    await dir.close().catch(() => {});
    await db.close().catch(() => {});
    await dropOrWarn(scratch);
  }
}
