import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteTemplate } from '../../support/server.ts';
import { type ServerProcess, startServerProcess, waitReady } from '../../support/server-process.ts';
import { dropSchema, POSTGRES_URL, uniqueSchema } from '../../support/services.ts';

// The real server as a process for the browser tests: embedded PGlite in a directory of its
// own (a copy of the migrated template), or, when DATABASE_URL is set, Postgres in a schema
// of its own; an admin account from ONSALE_ADMIN_EMAIL/PASSWORD; write limits out of the way.

export const ADMIN = { email: 'admin@e2e.test', password: 'admin-password-1' };

export interface E2eServer {
  url: string;
  process: ServerProcess;
  stop(): Promise<void>;
}

export async function startE2eServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'onsale-e2e-'));
  const schema = process.env.DATABASE_URL ? uniqueSchema('e2e') : null;
  if (!schema) cpSync(await pgliteTemplate(), dir, { recursive: true });
  const proc = await startServerProcess(
    {
      HOST: '127.0.0.1',
      ONSALE_DATA_DIR: dir,
      ONSALE_DEMO: '0',
      LOG_LEVEL: 'info', // startServerProcess waits for the "onsale listening" line
      ONSALE_ADMIN_EMAIL: ADMIN.email,
      ONSALE_ADMIN_PASSWORD: ADMIN.password,
      ONSALE_RATE_IP_PER_SEC: '100000',
      ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
      ...(schema ? { DATABASE_URL: POSTGRES_URL, ONSALE_DB_SCHEMA: schema } : { DATABASE_URL: '' }),
      ...env,
    },
    60_000,
  );
  const url = `http://127.0.0.1:${proc.port}`;
  await waitReady(url);
  return {
    url,
    process: proc,
    async stop() {
      proc.child.kill('SIGTERM');
      const killer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
      await proc.exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}
