// The server under test as a separate process (`node --max-semi-space-size=64 --import tsx
// src/main.ts`) on a port chosen here and a fresh data directory, plus what the socket
// benchmarks read about it from /proc: CPU time and resident memory. Stopping it kills the
// process and removes the directory, whatever state the run ended in.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerUnderTest {
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port>/ws */
  wsUrl: string;
  /** Lines the process wrote (stdout and stderr), newest last; capped. */
  logs: string[];
  /** Called with every stdout line (e.g. to follow --trace-gc output). */
  onLine: ((line: string) => void) | null;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and removes its data directory. */
  stop(graceMs?: number): Promise<void>;
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
/** Interrupting a bench must not leave servers behind. */
function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  const kill = () => {
    for (const c of live) c.kill('SIGKILL');
  };
  process.once('exit', kill);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      kill();
      process.exit(130);
    });
}

/**
 * Starts src/main.ts with LOG_LEVEL=warn, the internal API on and the demo event, waits until
 * /readyz answers 200. `nodeArgs` go before `--import tsx` (BENCH_SERVER_NODE_ARGS adds more,
 * e.g. `--perf-basic-prof` for `perf record`; --cpu-prof's sampling signal makes uWS drop
 * sockets here). `script` runs another server instead (a baseline), which must answer
 * GET /readyz on PORT too.
 */
export async function startServer(
  env: Record<string, string> = {},
  opts: { nodeArgs?: string[]; timeoutMs?: number; script?: string } = {},
): Promise<ServerUnderTest> {
  hookSignals();
  const dataDir = mkdtempSync(join(tmpdir(), 'onsale-bench-'));
  const port = await freePort();
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
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
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ONSALE_DATA_DIR: dataDir,
        ONSALE_INTERNAL_API: '1',
        ONSALE_DEMO: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopped = false;
  const server: ServerUnderTest = {
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    logs: [],
    onLine: null,
    async stop(graceMs = 5000) {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const keep = (line: string) => {
    server.logs.push(line);
    if (server.logs.length > 200) server.logs.shift();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    keep(line);
    server.onLine?.(line);
  });
  child.stderr!.on('data', (d: Buffer) => keep(d.toString()));

  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`server exited before it was ready:\n${server.logs.join('\n')}`);
      if (Date.now() > until) throw new Error(`server not ready in time:\n${server.logs.join('\n')}`);
      try {
        const r = await fetch(`${server.url}/readyz`);
        await r.arrayBuffer();
        if (r.ok) break;
      } catch {}
      await sleep(100);
    }
  } catch (e) {
    await server.stop(1000);
    throw e;
  }
  return server;
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

/** The upper bound of the bucket holding the 99th percentile of a histogram's observations between two scrapes. */
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
  return buckets.find(([, n]) => n >= total * 0.99)?.[0] ?? Number.NaN;
}
