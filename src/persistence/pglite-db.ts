import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, QueryResult } from './db.ts';

function wrapTx(tx: Transaction): Db {
  const db: Db = {
    kind: 'pglite',
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      const r = await tx.query<R>(sql, params);
      // affectedRows is 0, not undefined, for a SELECT: then count the rows returned, as pg does.
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string) {
      await tx.exec(sql);
    },
    transaction: (fn) => fn(db),
    async close() {},
  };
  return db;
}

const BYTEA = 17;
/**
 * PGlite converts bytea to and from hex text one byte at a time in JS; with journal batches
 * and snapshots of megabytes that dominated recovery. Buffer's native hex codec is ~10x faster.
 */
const byteaParsers = { [BYTEA]: (hex: string) => new Uint8Array(Buffer.from(hex.slice(2), 'hex')) };
const byteaSerializers = {
  [BYTEA]: (bytes: Uint8Array) =>
    `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`,
};

/**
 * Embedded Postgres on disk. PGlite is one session, used directly: its own queue orders
 * queries, and a transaction holds the session until it ends.
 */
export async function openPgliteDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, {
    parsers: byteaParsers,
    serializers: byteaSerializers,
    // Trigram similarity for the catalog's typo-tolerant search (migration 4).
    extensions: { pg_trgm },
  });
  return {
    kind: 'pglite',
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      const r = await pglite.query<R>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string) {
      await pglite.exec(sql);
    },
    transaction: (fn) => pglite.transaction((tx) => fn(wrapTx(tx))),
    close: () => pglite.close(),
  };
}
