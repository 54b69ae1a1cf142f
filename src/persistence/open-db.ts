import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPgDb } from './pg-db.ts';
import { openPgliteDb } from './pglite-db.ts';

export interface DbConfig {
  /** A Postgres server; when absent, embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema to use (created if missing); tests give each run its own. */
  schema?: string;
}

/** Opens the configured database and brings its schema up to date. */
export async function openDb(config: DbConfig): Promise<Db> {
  const db = config.databaseUrl
    ? await openPgDb(config.databaseUrl, config.schema)
    : await openPgliteDb(config.dataDir);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
