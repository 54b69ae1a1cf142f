import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../src/persistence/db.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { dropSchema, POSTGRES_URL, postgresAvailable, uniqueSchema } from '../support/services.ts';

// The catalog suites run on both adapters: PGlite in a fresh temp directory, and the
// Postgres server in a schema of its own (skipped with a notice when the server is absent).

const pgUp = await postgresAvailable();

export interface TestDb {
  name: string;
  skip: boolean;
  /** Opens (and migrates) the database; reopening after close() finds the same data. */
  open(): Promise<Db>;
  /** Closes what is open and removes the directory or drops the schema. */
  dispose(): Promise<void>;
}

function testDb(name: string, skip: boolean, open: () => Promise<Db>, remove: () => Promise<void>): TestDb {
  const opened: Db[] = [];
  return {
    name,
    skip,
    async open() {
      const db = await open();
      opened.push(db);
      return db;
    },
    async dispose() {
      for (const db of opened.splice(0)) await db.close().catch(() => {});
      await remove();
    },
  };
}

export function databases(prefix: string): TestDb[] {
  const dir = mkdtempSync(join(tmpdir(), `onsale-${prefix}-`));
  const schema = uniqueSchema(prefix);
  return [
    testDb(
      'PGlite',
      false,
      () => openDb({ dataDir: dir }),
      async () => rmSync(dir, { recursive: true, force: true }),
    ),
    testDb(
      'Postgres',
      !pgUp,
      () => openDb({ databaseUrl: POSTGRES_URL, dataDir: '', schema }),
      async () => {
        if (pgUp) await dropSchema(schema);
      },
    ),
  ];
}
