// Every bench keeps its data where no other run can see it: a Postgres schema or a PGlite
// data directory made for the run, with a name no other run uses, and removed at the end.
// A bench that shared one (the public schema, or a schema named after the pid) found a
// previous run's holds still there and measured nothing but rejections.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../../src/persistence/db.ts';
import { type DbConfig, openDb } from '../../src/persistence/open-db.ts';
import { onInterrupt } from './interrupt.ts';

/** The Postgres server the benches use; an empty DATABASE_URL means the default, as for the server. */
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export type DbKind = 'postgres' | 'pglite';

export interface ScratchDb {
  kind: DbKind;
  /** The Postgres schema (created here, empty), or null on PGlite. */
  schema: string | null;
  /** A fresh empty directory: PGlite's data, or the server's ONSALE_DATA_DIR on Postgres. */
  dataDir: string;
  /** For openDb() in the bench's own process. */
  config: DbConfig;
  /** For a server process: the database settings, overriding any in the bench's environment. */
  env: Record<string, string>;
  /** Drops the schema and removes the directory; safe to call twice. */
  drop(): Promise<void>;
}

/** A schema name no other run uses (the pid alone comes round again, in containers at once). */
export function uniqueSchema(prefix: string): string {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad schema name "${name}"`);
  return name;
}

/** Why Postgres at `url` cannot be used, or null when it can. */
export async function postgresUnreachable(url = DATABASE_URL): Promise<string | null> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

/** One statement on its own connection (the bench's pools may be closed or busy). */
export async function adminQuery(sql: string, url = DATABASE_URL): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * A fresh database for one run. On Postgres the schema is created here with CREATE SCHEMA
 * (no IF NOT EXISTS: a name that exists is an error, never a reuse); the data directory is
 * made either way (the server wants one).
 */
export async function scratchDb(kind: DbKind, prefix: string, url = DATABASE_URL): Promise<ScratchDb> {
  const dataDir = mkdtempSync(join(tmpdir(), `onsale-${prefix.replaceAll('_', '-')}-`));
  let forget = () => {};
  const removeDir = () => {
    forget();
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (kind === 'pglite') {
    forget = onInterrupt(removeDir);
    return {
      kind,
      schema: null,
      dataDir,
      config: { dataDir },
      // Empty means unset to the server's config: a DATABASE_URL or schema in the bench's
      // environment must not send the server elsewhere.
      env: { DATABASE_URL: '', ONSALE_DB_SCHEMA: '', ONSALE_DATA_DIR: dataDir },
      async drop() {
        removeDir();
      },
    };
  }
  const schema = uniqueSchema(prefix);
  try {
    await adminQuery(`CREATE SCHEMA ${schema}`, url);
  } catch (e) {
    removeDir();
    throw e;
  }
  let dropped = false;
  const db: ScratchDb = {
    kind,
    schema,
    dataDir,
    config: { databaseUrl: url, dataDir, schema },
    env: { DATABASE_URL: url, ONSALE_DB_SCHEMA: schema, ONSALE_DATA_DIR: dataDir },
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`, url);
      } finally {
        removeDir();
      }
    },
  };
  forget = onInterrupt(() => db.drop());
  return db;
}

/** Runs `fn` on a fresh database and drops it afterwards, whether `fn` succeeded or not. */
export async function withScratchDb<T>(
  kind: DbKind,
  prefix: string,
  fn: (db: ScratchDb) => Promise<T>,
): Promise<T> {
  const db = await scratchDb(kind, prefix);
  try {
    return await fn(db);
  } finally {
    await dropOrWarn(db);
  }
}

/** A leftover is no wrong figure: report it without hiding the run's own error. */
export async function dropOrWarn(db: ScratchDb): Promise<void> {
  await db.drop().catch((e: unknown) => {
    console.error(`bench: could not remove ${db.schema ?? db.dataDir}: ${(e as Error).message}`);
  });
}

/** A migrated database made for the run, opened in the bench's own process. */
export interface ScratchOpen {
  name: DbKind;
  db: Db;
  /** Closes the database, then drops the schema or removes the directory. */
  cleanup(): Promise<void>;
}

export async function openScratch(kind: DbKind, prefix: string): Promise<ScratchOpen> {
  const scratch = await scratchDb(kind, prefix);
  try {
    const db = await openDb(scratch.config);
    return {
      name: kind,
      db,
      async cleanup() {
        await db.close().catch(() => {});
        await dropOrWarn(scratch);
      },
    };
  } catch (e) {
    await dropOrWarn(scratch);
    throw e;
  }
}
