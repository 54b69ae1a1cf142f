import type { Db } from './db.ts';
import { migrate } from './migrate.ts';

export interface DbConfig {
  /** A Postgres server; when absent, embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema to use (created if missing); tests give each run its own. */
  schema?: string;
  /** Connections to the Postgres server (default 10). */
  poolSize?: number;
}

/**
 * Opens the configured database and brings its schema up to date. Only the adapter in use
 * is loaded (PGlite and pg each take a noticeable part of start-up).
 */
export async function openDb(config: DbConfig): Promise<Db> {
  const db = config.databaseUrl
    ? await (await import('./pg-db.ts')).openPgDb(config.databaseUrl, config.schema, config.poolSize)
    : await (await import('./pglite-db.ts')).openPgliteDb(config.dataDir);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
