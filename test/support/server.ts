import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { MIGRATIONS } from '../../src/persistence/migrations.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { PGLITE_SETTINGS } from '../../src/persistence/pglite-db.ts';
import { type Server, startServer } from '../../src/server.ts';
import { type RequestOptions, type Res, request } from './http.ts';

// The real server in-process, the way the suites start it: PGlite in a data directory of
// its own (copied from a migrated template), a free port, no service from the environment,
// write limits out of the way. Restart on the same directory to test what survives.

export interface TestServer {
  server: Server;
  url: string;
  wsUrl: string;
  dir: string;
  call(method: string, path: string, opts?: RequestOptions): Promise<Res>;
  /** Closes the server and starts it again on the same data directory. */
  restart(env?: Record<string, string>): Promise<TestServer>;
  /** Closes the server and removes its directory. */
  stop(): Promise<void>;
}

const root = new URL('../../', import.meta.url);
const cache = fileURLToPath(new URL('node_modules/.cache/', root));

/**
 * A migrated, empty PGlite data directory to copy for each server: initdb in WASM costs
 * seconds of CPU per server, a copy well under one. Kept in node_modules/.cache, keyed by
 * the migrations' SQL, the PGlite version and its settings; built by whichever worker needs it first (a
 * rename publishes it whole, so a racing worker just uses the winner's).
 */
export async function pgliteTemplate(): Promise<string> {
  const pglite = JSON.parse(
    readFileSync(new URL('node_modules/@electric-sql/pglite/package.json', root), 'utf8'),
  ).version;
  const key = createHash('sha256')
    // The migrations' SQL itself: capabilities keep theirs in their own schema.ts files.
    .update(JSON.stringify(MIGRATIONS))
    .update(pglite)
    .update(JSON.stringify(PGLITE_SETTINGS))
    .digest('hex')
    .slice(0, 16);
  const dir = join(cache, `onsale-pglite-${key}`);
  if (existsSync(dir)) return dir;
  mkdirSync(cache, { recursive: true });
  // Templates of older migrations, and builds abandoned by a killed worker.
  for (const name of readdirSync(cache)) {
    const p = join(cache, name);
    if (name.startsWith('onsale-pglite-') && Date.now() - statSync(p).mtimeMs > 10 * 60_000)
      rmSync(p, { recursive: true, force: true });
  }
  const building = mkdtempSync(join(cache, 'onsale-pglite-building-'));
  try {
    const db = await openDb({ dataDir: building });
    await db.close();
    renameSync(building, dir);
  } catch (e) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(dir)) throw e;
  }
  return dir;
}

/**
 * Starts the server with the suite's settings over these defaults. Only the variables given
 * here count: DATABASE_URL and friends from the environment must not leak in.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: { dir?: string } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'onsale-test-'));
  if (!opts.dir) cpSync(await pgliteTemplate(), dir, { recursive: true });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ONSALE_DATA_DIR: dir,
    ONSALE_DEMO: '0',
    LOG_LEVEL: 'silent',
    ONSALE_RATE_IP_PER_SEC: '100000',
    ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
    ...env,
  });
  let server: Server;
  try {
    server = await startServer(config, pino({ level: 'silent' }));
  } catch (e) {
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const url = `http://127.0.0.1:${server.port}`;
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= server.close();
    return closing;
  };
  return {
    server,
    url,
    wsUrl: `ws://127.0.0.1:${server.port}/ws`,
    dir,
    call: (method, path, o) => request(url, method, path, o),
    async restart(more = {}) {
      await close();
      return startTestServer({ ...env, ...more }, { dir });
    },
    /** Closes the server (once, whoever else closed it) and removes its directory. */
    async stop() {
      try {
        await close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
