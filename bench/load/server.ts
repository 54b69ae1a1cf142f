// The server under test as a separate process (`node --max-semi-space-size=64 --import tsx
// src/main.ts`) on a fresh database of its own (bench/lib/scratch-db.ts: a new Postgres
// schema when DATABASE_URL is set, else a new PGlite directory), plus what the benchmarks
// read about it from /proc: CPU time and resident memory. Stopping it kills the process and
// drops its database, whatever state the run ended in.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BenchFailure } from '../lib/checks.ts';
import { onInterrupt } from '../lib/interrupt.ts';
import { dropOrWarn, scratchDb } from '../lib/scratch-db.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port>/ws */
  wsUrl: string;
  /** Milliseconds from spawn() to the first 200 from GET /readyz. */
  readyMs: number;
  /** Lines the process wrote (stdout and stderr), newest last; capped. */
  logs: string[];
  /** Called with every stdout line (e.g. to follow --trace-gc output). */
  onLine: ((line: string) => void) | null;
  /** Stops the process: SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<Exit>;
}

export interface Exit {
  code: number | null;
  signal: string | null;
  /** From the SIGTERM to the exit. */
  ms: number;
  /** It did not exit within the grace period and was killed. */
  killed: boolean;
}

export interface ServerUnderTest extends ServerProcess {
  /** Where its data lives: a fresh Postgres schema or PGlite directory (null for a baseline script). */
  database: 'postgres' | 'pglite' | null;
  /** Stops the process and drops its database. */
  stop(graceMs?: number): Promise<Exit>;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
let hooked = false;
/** Ending or interrupting a bench must not leave servers behind. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export interface LaunchOptions {
  /** Before `--import tsx` (BENCH_SERVER_NODE_ARGS adds more). */
  nodeArgs?: string[];
  /** Until /readyz answers 200 (default 120 s: today a first start on PGlite takes 10-30 s). */
  timeoutMs?: number;
  /** Another server instead of src/main.ts (a baseline): it must answer GET /readyz on PORT too. */
  script?: string;
  /**
   * PORT=0 and the port read from the server's `"onsale listening"` log line (LOG_LEVEL
   * info unless `env` says otherwise), as a user starts it; else a free port chosen here.
   */
  portFromLog?: boolean;
}

/**
 * Spawns the server with `env` over the bench defaults (LOG_LEVEL=warn, the internal API on,
 * the demo event) and resolves once GET /readyz answers 200. The caller owns its data: it
 * must pass ONSALE_DATA_DIR (and the database settings). `--cpu-prof` is no use through
 * BENCH_SERVER_NODE_ARGS: its sampling signal makes uWS drop sockets here; use
 * `--perf-basic-prof` and `perf record`.
 */
export async function launchServer(
  env: Record<string, string>,
  opts: LaunchOptions = {},
): Promise<ServerProcess> {
  hookExit();
  const port = opts.portFromLog ? 0 : await freePort();
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--max-semi-space-size=64',
      ...(opts.nodeArgs ?? []),
      ...extra,
      '--import',
      'tsx',
      opts.script ?? 'src/main.ts',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        LOG_LEVEL: opts.portFromLog ? 'info' : 'warn',
        ONSALE_INTERNAL_API: '1',
        ONSALE_DEMO: '1',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const forget = onInterrupt(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  let stopped: Promise<Exit> | null = null;
  let listening: number | null = opts.portFromLog ? null : port;
  const server: ServerProcess = {
    pid: child.pid!,
    port,
    url: '',
    wsUrl: '',
    readyMs: Number.NaN,
    logs: [],
    onLine: null,
    stop(graceMs = 5000) {
      stopped ??= (async () => {
        const t = performance.now();
        let killed = false;
        if (running()) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, graceMs);
          await exited;
          clearTimeout(timer);
        }
        live.delete(child);
        forget();
        return { code: child.exitCode, signal: child.signalCode, ms: performance.now() - t, killed };
      })();
      return stopped;
    },
  };
  const keep = (line: string) => {
    server.logs.push(line);
    if (server.logs.length > 200) server.logs.shift();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    keep(line);
    if (listening === null && line.includes('"onsale listening"')) {
      try {
        listening = (JSON.parse(line) as { port: number }).port;
      } catch {}
    }
    server.onLine?.(line);
  });
  child.stderr!.on('data', (d: Buffer) => keep(d.toString()));

  const timeoutMs = opts.timeoutMs ?? 120_000;
  const until = spawnedAt + timeoutMs;
  const why = (what: string) =>
    new BenchFailure(`server ${what} (last lines of its output below)\n${server.logs.slice(-40).join('\n')}`);
  try {
    for (;;) {
      if (!running()) throw why(`exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      if (performance.now() > until)
        throw why(
          `not ready ${round1(timeoutMs / 1000)} s after it was started${listening === null ? ' (it never logged "onsale listening")' : ''}`,
        );
      if (listening !== null) {
        try {
          // Bounded: a server that accepts but never answers must still time out.
          const r = await fetch(`http://127.0.0.1:${listening}/readyz`, {
            signal: AbortSignal.timeout(Math.max(100, Math.ceil(until - performance.now()))),
          });
          await r.arrayBuffer();
          if (r.ok) {
            server.readyMs = performance.now() - spawnedAt;
            break;
          }
        } catch {}
      }
      // Short: the wait is part of what `startup` measures.
      await sleep(20);
    }
  } catch (e) {
    await server.stop(1000);
    throw e;
  }
  server.port = listening!;
  server.url = `http://127.0.0.1:${listening}`;
  server.wsUrl = `ws://127.0.0.1:${listening}/ws`;
  return server;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Starts the server on a database made for it alone: a new Postgres schema when DATABASE_URL
 * (in `env`, else the bench's environment) is set, else a new PGlite directory; a baseline
 * `script` gets only a directory. stop() drops it again.
 */
export async function startServer(
  env: Record<string, string> = {},
  opts: LaunchOptions = {},
): Promise<ServerUnderTest> {
  const url = env.DATABASE_URL ?? process.env.DATABASE_URL ?? '';
  const db = await scratchDb(url && !opts.script ? 'postgres' : 'pglite', 'bench_server', url || undefined);
  let launched: ServerProcess;
  try {
    launched = await launchServer({ ...env, ...db.env }, opts);
  } catch (e) {
    await dropOrWarn(db);
    throw e;
  }
  const stopProcess = launched.stop;
  let dropped: Promise<Exit> | null = null;
  return Object.assign(launched, {
    database: opts.script ? null : db.kind,
    stop(graceMs?: number) {
      dropped ??= stopProcess(graceMs).finally(() => dropOrWarn(db));
      return dropped;
    },
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const CLK_TCK = 100;

/** utime + stime of a process, in microseconds (clock-tick resolution, 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

/** VmRSS of a process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Wall clock in milliseconds with sub-millisecond precision, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Kernel counters that explain a bad loopback run: packets dropped because a CPU's input
 * backlog (net.core.netdev_max_backlog) was full, and TCP segments retransmitted (each
 * drop costs a retransmission timeout of 200 ms or more on loopback).
 */
export function netCounters(): { backlogDrops: number; retransmits: number } {
  const backlogDrops = readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((n, line) => n + Number.parseInt(line.split(' ')[1], 16), 0);
  const tcp = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Tcp:'));
  const names = tcp[0].split(' ');
  const values = tcp[1].split(' ');
  return { backlogDrops, retransmits: Number(values[names.indexOf('RetransSegs')]) };
}

/** The server's /metrics as name{labels} -> value (Prometheus text format, no comments). */
export async function scrapeMetrics(server: ServerUnderTest): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The upper bound of the bucket holding the 99th percentile of a histogram's observations between two scrapes; NaN for none. */
export function bucketP99(
  m0: Map<string, number>,
  m1: Map<string, number>,
  name: string,
  label: string,
): number {
  const buckets: [number, number][] = [];
  for (const [k, v] of m1) {
    if (!k.startsWith(name) || !k.includes(label)) continue;
    const le = /le="([^"]+)"/.exec(k)?.[1];
    if (le) buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), v - (m0.get(k) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN; // no observations: no figure (the first bucket would pass for one)
  return buckets.find(([, n]) => n >= total * 0.99)?.[0] ?? Number.NaN;
}
