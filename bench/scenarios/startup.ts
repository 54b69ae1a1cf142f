// How long the zero-configuration server takes to come up, and what it then holds in memory:
// embedded PGlite (no DATABASE_URL) with the demo catalog (ONSALE_DEMO=1, the default), run
// as a user runs it (`node --max-semi-space-size=64 --import tsx src/main.ts`, PORT=0, the
// port read from its "onsale listening" log line). Each round, on a fresh empty data
// directory removed afterwards:
//   first start: spawn -> first 200 from GET /readyz (creates the database, loads the demo);
//   SIGTERM and wait for the exit;
//   restart on the same directory: spawn -> first 200 from /readyz;
//   resident memory (VmRSS) of the restarted server after it settled.
// A start that never gets ready fails the run, as does a demo catalog that is not there.
// A first start copies the install-time PGlite cluster template when there is one
// (src/persistence/install.ts makes it) and runs initdb otherwise: the output says which.
//
//   npm run bench -- startup
//   options (key=value): rounds=3 timeoutSeconds=120 settleSeconds=2
import { DEMO_EVENT_ID } from '../../src/demo.ts';
import { PGLITE_SETTINGS } from '../../src/persistence/pglite-db.ts';
import { hasCluster, templatePath } from '../../src/persistence/pglite-template.ts';
import { check } from '../lib/checks.ts';
import { parseOptions } from '../lib/options.ts';
import { withScratchDb } from '../lib/scratch-db.ts';
import { median, printJson, printTable, round } from '../lib/stats.ts';
import { launchServer, rssBytes, type ServerProcess, sleep } from '../load/server.ts';

const DEFAULTS = { rounds: 3, timeoutSeconds: 120, settleSeconds: 2 };

const TARGETS = { firstStartMs: 8000, restartMs: 3000, rssMb: 300 };

/** Generous: PGlite flushes to disk on close, and a killed server would make the restart a crash recovery. */
const STOP_GRACE_MS = 30_000;

interface Round {
  firstStartMs: number;
  restartMs: number;
  rssMb: number;
  /** SIGTERM -> exit of the first server. */
  stopMs: number;
}

/** The demo catalog is there: a server that came up empty would be fast for nothing. */
async function expectDemo(server: ServerProcess, when: string): Promise<void> {
  const r = await fetch(`${server.url}/api/events/search`);
  const body = (await r.json()) as { total?: number };
  check(
    r.ok && (body.total ?? 0) > 0,
    `startup: ${when}: the demo catalog is empty (GET /api/events/search: ${r.status}, total ${body.total})`,
  );
}

/** Stops a server, saying so on stderr when it did not exit cleanly (the next start then recovers from a crash). */
async function stop(server: ServerProcess, when: string): Promise<number> {
  const exit = await server.stop(STOP_GRACE_MS);
  if (exit.killed || exit.code !== 0)
    console.error(
      `startup: ${when}: the server did not exit cleanly on SIGTERM ` +
        `(${exit.killed ? `killed after ${STOP_GRACE_MS} ms` : `code ${exit.code ?? exit.signal}`})`,
    );
  return exit.ms;
}

async function oneRound(o: typeof DEFAULTS, n: number): Promise<Round> {
  return withScratchDb('pglite', 'bench_startup', async (db) => {
    const env = { ...db.env, ONSALE_DEMO: '1', ONSALE_INTERNAL_API: '0' };
    const opts = { portFromLog: true, timeoutMs: o.timeoutSeconds * 1000 };
    let server: ServerProcess | null = null;
    try {
      server = await launchServer(env, opts);
      const firstStartMs = server.readyMs;
      await expectDemo(server, `round ${n}, first start`);
      const stopMs = await stop(server, `round ${n}, first start`);

      server = await launchServer(env, opts);
      const restartMs = server.readyMs;
      await sleep(o.settleSeconds * 1000);
      const rssMb = rssBytes(server.pid) / 2 ** 20;
      await expectDemo(server, `round ${n}, restart`);
      const seats = await fetch(`${server.url}/api/events/${DEMO_EVENT_ID}/seats`);
      await seats.arrayBuffer();
      check(
        seats.ok,
        `startup: round ${n}, restart: GET /api/events/${DEMO_EVENT_ID}/seats: ${seats.status}`,
      );
      await stop(server, `round ${n}, restart`);
      console.error(
        `startup: round ${n}: first start ${round(firstStartMs)} ms, restart ${round(restartMs)} ms, ` +
          `${round(rssMb)} MB resident`,
      );
      return { firstStartMs, restartMs, rssMb, stopMs };
    } finally {
      await server?.stop(1000);
    }
  });
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, DEFAULTS);
  check(o.rounds >= 1, 'startup: rounds must be at least 1');
  const clusterTemplate = hasCluster(templatePath(PGLITE_SETTINGS));
  const rounds: Round[] = [];
  for (let n = 1; n <= o.rounds; n++) rounds.push(await oneRound(o, n));

  const of = (k: keyof Round, digits = 0) => rounds.map((r) => round(r[k], digits));
  const samples = {
    firstStartMs: of('firstStartMs'),
    restartMs: of('restartMs'),
    rssMb: of('rssMb', 1),
    stopMs: of('stopMs'),
  };
  const result = {
    firstStartMs: round(median(samples.firstStartMs)),
    restartMs: round(median(samples.restartMs)),
    rssMb: round(median(samples.rssMb), 1),
  };
  const row = (measure: string, k: keyof typeof result, target: string) => ({
    measure,
    median: result[k],
    samples: samples[k].join(', '),
    target,
    met: result[k] <= TARGETS[k] ? 'yes' : 'NO',
  });
  printTable(
    `start-up on embedded PGlite with the demo catalog (medians of ${o.rounds} rounds, each on a fresh data directory; ` +
      `first starts ${clusterTemplate ? 'copy the install-time cluster template' : 'run initdb: no install-time cluster template'})`,
    [
      row('first start ms (spawn -> /readyz 200, empty dir)', 'firstStartMs', '<= 8,000'),
      row('restart ms (same dir)', 'restartMs', '<= 3,000'),
      row(`resident MB after restart + ${o.settleSeconds} s`, 'rssMb', '<= 300'),
    ],
  );
  printJson({
    bench: 'startup',
    database: 'pglite',
    demo: true,
    clusterTemplate,
    rounds: o.rounds,
    ...result,
    targets: TARGETS,
    samples,
  });
}
