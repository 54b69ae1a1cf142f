// Idle sockets: how much memory the server spends per open WebSocket and how fast they
// open. N SDK sockets (as many as one process may hold by default: ONSALE_MAX_SOCKETS) from
// several load processes and loopback source addresses, each pinging once per `interval`
// ms for `seconds`. Memory per socket = what the server's user memory (the kernel's socket
// buffers are not in it) grew by while the second half of the sockets opened, over their
// number: JS heap in use plus resident memory outside V8's heap (see perSocket), after a
// full GC each time. The same run against a plain `ws` server
// (bench/load/ws-server.ts) is the baseline.
//
// The onsale server runs on a database of its own (a new Postgres schema when DATABASE_URL
// is set, else a new PGlite directory), dropped at the end. A run fails unless 99 % of the
// sockets opened and 99 % of the pings were answered.
//
//   npm run bench -- connections
//   options (key=value): sockets=19000 workers=4 seconds=20 interval=5000 baseline=1
import * as hdr from 'hdr-histogram-js';
import { commonest, expectCount } from '../lib/checks.ts';
import { percentileMs } from '../lib/histogram.ts';
import { parseOptions } from '../lib/options.ts';
import { median, printJson, printTable, round } from '../lib/stats.ts';
import { forkWorkers, killAll, shares, type Worker } from '../load/pool.ts';
import { rssBytes, type ServerUnderTest, scrapeMetrics, sleep, startServer } from '../load/server.ts';
import { initSocketWorkers } from '../load/sockets.ts';

const DEFAULTS = { sockets: 19_000, workers: 4, seconds: 20, interval: 5000, baseline: 1 };
/** Share of the sockets that must open, and of the pings that must be answered. */
const MIN_SHARE = 0.99;
type Options = typeof DEFAULTS;

/**
 * After a full garbage collection (both servers run with --expose-gc and answer POST
 * /internal/gc with process.memoryUsage()): the JS heap in use and committed, and the
 * median of `n` readings of resident memory.
 */
async function steady(server: ServerUnderTest, n = 7, gapMs = 300): Promise<Memory> {
  const r = await fetch(`${server.url}/internal/gc`, { method: 'POST' });
  if (!r.ok) throw new Error(`POST /internal/gc: ${r.status}`);
  const { heapUsed, heapTotal } = (await r.json()) as { heapUsed: number; heapTotal: number };
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(rssBytes(server.pid));
    await sleep(gapMs);
  }
  return { rss: median(xs), heapUsed, heapTotal };
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

/**
 * User memory a socket costs, from two readings: the JS objects it added (heap in use)
 * plus what grew outside V8's heap (resident memory minus the heap V8 has committed: uWS's
 * per-socket state, malloc). Resident memory alone misleads both ways: new objects fill
 * heap pages already committed, and V8 gives start-up pages back in the meantime.
 */
function perSocket(a: Memory, b: Memory, sockets: number): { user: number; heap: number; native: number } {
  const heap = (b.heapUsed - a.heapUsed) / sockets;
  const native = (b.rss - b.heapTotal - (a.rss - a.heapTotal)) / sockets;
  return { user: round(heap + Math.max(0, native)), heap: round(heap), native: round(native) };
}

/** Waits (up to a minute) until resident memory moves less than 1 MB over 3 s. */
async function settle(pid: number): Promise<void> {
  const until = Date.now() + 60_000;
  let last = rssBytes(pid);
  while (Date.now() < until) {
    await sleep(3000);
    const now = rssBytes(pid);
    if (Math.abs(now - last) < 1 << 20) return;
    last = now;
  }
}

interface Run {
  server: string;
  /** The onsale server's database (fresh for the run); null for the `ws` baseline. */
  database: string | null;
  sockets: number;
  failed: number;
  bytesPerSocket: number;
  heapBytesPerSocket: number;
  nativeBytesPerSocket: number;
  openSeconds: number;
  opensPerSec: number;
  pingP50Ms: number;
  pingP99Ms: number;
  pingsFailed: number;
  openAtEnd: number | null;
}

async function measure(which: 'onsale' | 'ws', o: Options): Promise<Run> {
  let server: ServerUnderTest | null = null;
  let workers: Worker[] = [];
  try {
    const nodeArgs = ['--expose-gc'];
    server =
      which === 'onsale'
        ? await startServer(
            {
              ONSALE_MAX_SOCKETS: String(Math.max(o.sockets, 19_000)),
              ONSALE_MAX_SOCKETS_PER_IP: String(o.sockets),
            },
            { nodeArgs },
          )
        : await startServer({}, { nodeArgs, script: 'bench/load/ws-server.ts' });
    workers = forkWorkers('./sockets-worker.ts', o.workers);
    await initSocketWorkers(workers, server.wsUrl);

    await settle(server.pid);
    // Two halves, measured after each: the second half's growth is what a socket costs,
    // free of start-up garbage that the process returns to the system only gradually.
    let openSeconds = 0;
    let open = 0;
    let failed = 0;
    const errors: Record<string, number>[] = [];
    const readings: (Memory & { open: number })[] = [];
    const half = Math.floor(o.sockets / 2);
    for (const count of [half, o.sockets - half]) {
      const t0 = performance.now();
      const opened = await Promise.all(
        shares(count, workers.length).map((n, i) =>
          workers[i].call<{ open: number; failed: number; errors: Record<string, number> }>('open', {
            count: n,
            subscribe: false,
            concurrency: 200,
          }),
        ),
      );
      openSeconds += (performance.now() - t0) / 1000;
      open = opened.reduce((n, r) => n + r.open, 0);
      const f = opened.reduce((n, r) => n + r.failed, 0);
      failed += f;
      errors.push(...opened.map((r) => r.errors));
      if (f > 0)
        console.error(`connections: ${which}: ${f} failed ${JSON.stringify(opened.map((r) => r.errors))}`);
      await sleep(2000);
      readings.push({ ...(await steady(server)), open });
    }
    expectCount('connections', `sockets were open (${which})`, open, o.sockets, {
      minShare: MIN_SHARE,
      commonError: commonest(errors),
    });
    const [mid, full] = readings;
    const cost = perSocket(mid, full, Math.max(1, full.open - mid.open));
    const pings = await Promise.all(
      workers.map((w) =>
        w.call<{ ok: number; failed: number; hist: string }>('ping', {
          seconds: o.seconds,
          intervalMs: o.interval,
        }),
      ),
    );
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    for (const p of pings) h.add(hdr.decodeFromCompressedBase64(p.hist));
    const pingsOk = pings.reduce((n, p) => n + p.ok, 0);
    const pingsFailed = pings.reduce((n, p) => n + p.failed, 0);
    expectCount('connections', `pings were answered (${which})`, pingsOk, pingsOk + pingsFailed, {
      minShare: MIN_SHARE,
    });
    const openAtEnd =
      which === 'onsale' ? ((await scrapeMetrics(server)).get('onsale_sockets') ?? null) : null;
    return {
      server: which,
      database: server.database,
      sockets: open,
      failed,
      bytesPerSocket: cost.user,
      heapBytesPerSocket: cost.heap,
      nativeBytesPerSocket: cost.native,
      openSeconds: round(openSeconds, 2),
      opensPerSec: round(open / openSeconds),
      pingP50Ms: round(percentileMs(h, 50, `ping (${which})`), 2),
      pingP99Ms: round(percentileMs(h, 99, `ping (${which})`), 2),
      pingsFailed,
      openAtEnd,
    };
  } finally {
    await Promise.all(workers.map((w) => w.call('close').catch(() => {})));
    await killAll(workers);
    await server?.stop();
  }
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, DEFAULTS);
  const runs = [await measure('onsale', o)];
  if (o.baseline) runs.push(await measure('ws', o));
  printTable(
    `idle WebSockets: ${o.sockets} from ${o.workers} load processes, each pinging every ${o.interval} ms for ` +
      `${o.seconds} s; bytes/socket = user memory (JS heap + native growth outside the heap; kernel buffers excluded)`,
    runs.map((r) => ({
      server: r.server,
      sockets: r.sockets,
      failed: r.failed,
      'bytes/socket': r.bytesPerSocket,
      'JS heap': r.heapBytesPerSocket,
      native: r.nativeBytesPerSocket,
      'open s': r.openSeconds,
      'opens/s': r.opensPerSec,
      'ping p50 ms': r.pingP50Ms,
      'ping p99 ms': r.pingP99Ms,
      'pings failed': r.pingsFailed,
      'open at end': r.openAtEnd ?? '-',
    })),
  );
  const [onsale, ws] = runs;
  printJson({
    bench: 'connections',
    database: onsale.database,
    sockets: onsale.sockets,
    bytesPerSocket: onsale.bytesPerSocket,
    openSeconds: onsale.openSeconds,
    pingP99Ms: onsale.pingP99Ms,
    wsBytesPerSocket: ws?.bytesPerSocket ?? null,
    wsOverOnsaleBytes: ws ? round(ws.bytesPerSocket / Math.max(1, onsale.bytesPerSocket), 2) : null,
    runs,
  });
}
