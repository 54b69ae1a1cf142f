import { mkdirSync } from 'node:fs';
import { PGlite, type QueryOptions, type Transaction, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, QueryResult } from './db.ts';
import { buildTemplate, copyTemplate, templatePath } from './pglite-template.ts';

/**
 * Postgres settings for the embedded server, given on every start (so they also apply to
 * data directories created before) and to initdb (so postgresql.conf says the same).
 * shared_buffers: Postgres' default of 128 MB is resident from start-up in PGlite (its
 * shared memory is part of the WASM heap): 150 MB of the process for a demo database of
 * 12 MB. 16 MB holds that database whole; pages beyond it are read through PGlite's file
 * layer from the OS page cache. Only a cache: what a commit writes, and when, is unchanged.
 */
export const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/**
 * PGlite converts bytea to and from hex text one byte at a time in JS; with journal batches
 * and snapshots of megabytes that dominated recovery. Buffer's native hex codec is ~10x faster.
 */
const parsers = { [types.BYTEA]: (hex: string) => new Uint8Array(Buffer.from(hex.slice(2), 'hex')) };
const serializers = {
  // Elements of bytea[] (parameters themselves go as bytes, below).
  [types.BYTEA]: (bytes: Uint8Array) =>
    `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`,
};

/**
 * Strings longer than this go as their UTF-8 bytes (binary format, which text and json
 * receive as the same text): PGlite's protocol writer measures a string's UTF-8 length with
 * a JS loop over its characters, twice, and a chart's JSON is megabytes.
 */
const LONG_STRING = 16 * 1024;
const viaBytes =
  (type: number) =>
  (v: unknown): string | Uint8Array =>
    typeof v === 'string' && v.length > LONG_STRING ? Buffer.from(v, 'utf8') : types.serializers[type](v);

/**
 * Serializers for a query's own parameters (not for elements of arrays, whose serializers
 * PGlite builds from the instance's): a Uint8Array is sent as it is, in binary format.
 */
const paramOptions = {
  serializers: {
    [types.BYTEA]: (bytes: Uint8Array) => {
      if (!(bytes instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
      return bytes;
    },
    [types.TEXT]: viaBytes(types.TEXT),
    [types.JSON]: viaBytes(types.JSON),
  },
} as unknown as QueryOptions; // PGlite's types say serializers return strings; bytes are sent as binary

function wrapTx(tx: Transaction): Db {
  const db: Db = {
    kind: 'pglite',
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      const r = await tx.query<R>(sql, params, paramOptions);
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

/** The template's place; none when PGlite's package is not where it can be found. */
function clusterTemplate(): string | null {
  try {
    return templatePath(PGLITE_SETTINGS);
  } catch {
    return null;
  }
}

/**
 * Embedded Postgres on disk. PGlite is one session, used directly: its own queue orders
 * queries, and a transaction holds the session until it ends. A new data directory starts
 * as a copy of the install-time cluster template when there is one (pglite-template.ts),
 * else PGlite runs initdb in it.
 */
export async function openPgliteDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  // A copy that fails throws (and is redone on the next start).
  const template = clusterTemplate();
  if (template) copyTemplate(template, dataDir);
  const pglite = await PGlite.create(dataDir, {
    parsers,
    serializers,
    // Trigram similarity for the catalog's typo-tolerant search (migration 4).
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    initDbStartParams: PGLITE_SETTINGS,
  });
  return {
    kind: 'pglite',
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      const r = await pglite.query<R>(sql, params, paramOptions);
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string) {
      await pglite.exec(sql);
    },
    transaction: (fn) => pglite.transaction((tx) => fn(wrapTx(tx))),
    close: () => pglite.close(),
  };
}

/** Makes the cluster template new data directories start from (see pglite-template.ts). */
export function buildPgliteTemplate(): Promise<string> {
  return buildTemplate(templatePath(PGLITE_SETTINGS), PGLITE_SETTINGS, PGLITE_SETTINGS);
}
