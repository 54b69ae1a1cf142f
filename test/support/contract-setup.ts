import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import type { Contract, Exchange, Violation } from './contract.ts';

// A vitest setupFiles entry (vitest.config.ts), run before every test file: every response the
// file's tests get by fetch (the SDK's included) from a server on this machine, for a path
// docs/openapi.yaml documents, is checked against it (test/support/contract.ts). The body is read
// from a clone, so the test's own is untouched, and kept; the checks run in the afterAll below,
// after the file's own afterAll hooks (vitest runs after-hooks in reverse), so that compiling
// and validating never hold up the event loop of a server running in the test's process while
// its tests time things. The violations fail the file there. Requests made with node:http or raw
// sockets are not seen.
//
// The spec is loaded (and its validators compiled, each on first use) once per worker process
// and kept on globalThis, should vitest reset modules between the files a worker runs; it is
// imported only when a file has responses to check. ONSALE_CONTRACT_STATS=<file> appends one
// JSON line per test file: responses checked, bodies that could not be read, violations, the
// milliseconds the checks took, and the responses checked per operation and status.

/** The server's documented paths (others, such as /ws or the web app's, are never looked at). */
const SERVER_PATH = /^\/(api|internal)\/|^\/(healthz|readyz|metrics)$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** A body that has not arrived by then is left unchecked (the test aborted it, or the server went). */
const READ_TIMEOUT_MS = 10_000;

interface Collector {
  /** Responses seen, by a hash of what the check looks at: the same answer is checked once. */
  seen: Map<string, { exchange: Exchange; count: number }>;
  /** Responses whose body could not be read, so not checked. */
  unread: number;
  pending: Set<Promise<void>>;
}

interface WorkerState {
  original: typeof fetch;
  contract?: Promise<Contract>;
}

const KEY = Symbol.for('onsale.contract-check');

function worker(): WorkerState {
  const g = globalThis as unknown as Record<symbol, WorkerState | undefined>;
  g[KEY] ??= { original: globalThis.fetch };
  return g[KEY];
}

function contract(): Promise<Contract> {
  const w = worker();
  w.contract ??= import('./contract.ts').then((m) => m.Contract.load());
  return w.contract;
}

function requestOf(input: Parameters<typeof fetch>[0], init?: RequestInit): { method: string; url: string } {
  if (input instanceof Request) return { method: init?.method ?? input.method, url: input.url };
  return { method: init?.method ?? 'GET', url: String(input) };
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function observe(c: Collector, method: string, url: string, res: Response): Promise<void> {
  let body: string;
  try {
    body = await within(res.text(), READ_TIMEOUT_MS);
  } catch {
    c.unread++;
    return;
  }
  const contentType = res.headers.get('content-type');
  const u = new URL(url);
  const key = createHash('sha1')
    .update(`${method} ${u.pathname} ${res.status} ${contentType}\n`)
    .update(body)
    .digest('base64');
  const known = c.seen.get(key);
  if (known) known.count++;
  else c.seen.set(key, { exchange: { method, url, status: res.status, contentType, body }, count: 1 });
}

/** Wraps globalThis.fetch for this test file; returns the file's collector. */
function watchFetch(): Collector {
  const c: Collector = { seen: new Map(), unread: 0, pending: new Set() };
  const original = worker().original;
  globalThis.fetch = async (input, init) => {
    const res = await original(input, init);
    const { method, url } = requestOf(input, init);
    let u: URL;
    try {
      u = new URL(res.url || url);
    } catch {
      return res;
    }
    if (!LOOPBACK.has(u.hostname) || !SERVER_PATH.test(u.pathname)) return res;
    const p: Promise<void> = observe(c, method, u.href, res.clone()).finally(() => c.pending.delete(p));
    c.pending.add(p);
    return res;
  };
  return c;
}

const collector = watchFetch();

afterAll(async () => {
  const started = performance.now();
  let checked = 0;
  const violations: Violation[] = [];
  /** Responses checked per operation and status. */
  const covered = new Map<string, number>();
  try {
    while (collector.pending.size > 0) await Promise.all(collector.pending);
    if (collector.seen.size === 0) return;
    const spec = await contract();
    for (const { exchange, count } of collector.seen.values()) {
      const found = spec.check(exchange);
      if (found === null) continue;
      checked += count;
      const op = `${spec.operationOf(exchange.method, exchange.url)} ${exchange.status}`;
      covered.set(op, (covered.get(op) ?? 0) + count);
      for (let i = 0; i < count; i++) violations.push(...found);
    }
    if (violations.length > 0) {
      const { formatViolations } = await import('./contract.ts');
      throw new Error(formatViolations(violations));
    }
  } finally {
    const stats = process.env.ONSALE_CONTRACT_STATS;
    if (stats) {
      const file = expect.getState().testPath ?? 'unknown';
      const line = {
        file,
        checked,
        distinct: collector.seen.size,
        unread: collector.unread,
        violations: violations.length,
        ms: Math.round(performance.now() - started),
        covered: Object.fromEntries(covered),
      };
      appendFileSync(stats, `${JSON.stringify(line)}\n`);
    }
  }
}, 60_000);
