import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../src/persistence/db.ts';
import { decodeEntries } from '../../src/persistence/journal.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { openPgDb } from '../../src/persistence/pg-db.ts';
import { openPgliteDb } from '../../src/persistence/pglite-db.ts';
import { dropSchema, POSTGRES_URL, postgresAvailable, uniqueSchema } from '../support/services.ts';

// The persistence suites run once per database adapter: embedded PGlite in a fresh temp
// directory, and the Postgres server in a schema of its own (skipped, with a notice, when
// the server is absent). A suite gets a Store: one database it may open, close and reopen.

const pgUp = await postgresAvailable();

export interface Store {
  readonly kind: Db['kind'];
  /** The schema the tables live in ("public" on PGlite). */
  readonly schema: string;
  /** The adapter alone (openPgliteDb / openPgDb): no migrations. */
  open(): Promise<Db>;
  /** openDb(): opens and brings the schema up to date. */
  openMigrated(): Promise<Db>;
  /** Empties the database (drops and recreates its schema), through an open Db. */
  wipe(db: Db): Promise<void>;
  /** Closes whatever the suite left open, then removes the directory or drops the schema. */
  dispose(): Promise<void>;
}

/** What a suite module shares with the test file that runs it, filled in by its beforeAll. */
export interface SuiteContext {
  adapter: Adapter;
  store: Store;
  /** The store's migrated database; a suite that reopens it puts the new handle here. */
  db: Db;
}

export interface Adapter {
  name: string;
  kind: Db['kind'];
  skip: boolean;
  create(prefix: string): Store;
}

/**
 * Opens through `open` and keeps the handle in `live` until closed; close() may be called
 * twice. PGlite allows one instance per directory, so a reopen must follow a close.
 */
function tracked(open: () => Promise<Db>, live: Set<Db>): () => Promise<Db> {
  return async () => {
    const db = await open();
    let closed = false;
    const handle: Db = {
      kind: db.kind,
      query: <R>(sql: string, params?: unknown[]) => db.query<R>(sql, params),
      exec: (sql) => db.exec(sql),
      transaction: <T>(fn: (tx: Db) => Promise<T>) => db.transaction(fn),
      async close() {
        if (closed) return;
        closed = true;
        live.delete(handle);
        await db.close();
      },
    };
    live.add(handle);
    return handle;
  };
}

function store(
  kind: Db['kind'],
  schema: string,
  open: () => Promise<Db>,
  openMigrated: () => Promise<Db>,
  remove: () => Promise<void>,
): Store {
  const live = new Set<Db>();
  return {
    kind,
    schema,
    open: tracked(open, live),
    openMigrated: tracked(openMigrated, live),
    async wipe(db) {
      await db.exec(`DROP SCHEMA ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    },
    async dispose() {
      for (const db of [...live]) await db.close();
      await remove();
    },
  };
}

export const ADAPTERS: Adapter[] = [
  {
    name: 'PGlite',
    kind: 'pglite',
    skip: false,
    create(prefix) {
      const dir = mkdtempSync(join(tmpdir(), `onsale-${prefix}-`));
      return store(
        'pglite',
        'public',
        () => openPgliteDb(dir),
        () => openDb({ dataDir: dir }),
        async () => rmSync(dir, { recursive: true, force: true }),
      );
    },
  },
  {
    name: 'Postgres',
    kind: 'postgres',
    skip: !pgUp,
    create(prefix) {
      const schema = uniqueSchema(prefix);
      return store(
        'postgres',
        schema,
        () => openPgDb(POSTGRES_URL, schema),
        () => openDb({ databaseUrl: POSTGRES_URL, dataDir: '', schema }),
        () => dropSchema(schema),
      );
    },
  },
];

export interface JournalRow {
  first_seq: number;
  last_seq: number;
  epoch: number;
  seqs: number[];
}

/** An event's journal rows as stored, with the sequence numbers each one's entries carry. */
export async function journalRows(db: Db, eventId: string): Promise<JournalRow[]> {
  const { rows } = await db.query<{
    first_seq: number;
    last_seq: number;
    epoch: number;
    schema: number;
    entries: Uint8Array;
  }>(
    'SELECT first_seq, last_seq, epoch, schema, entries FROM journal WHERE event_id = $1 ORDER BY first_seq',
    [eventId],
  );
  return rows.map((r) => ({
    first_seq: r.first_seq,
    last_seq: r.last_seq,
    epoch: r.epoch,
    seqs: decodeEntries(r.schema, r.entries).map((e) => e.seq),
  }));
}

/** Checks the rows are gap-free from `from`, each holds exactly its range, and epochs never go back. */
export function contiguous(rows: JournalRow[], from = 1): boolean {
  let expected = from;
  let epoch = 0;
  for (const r of rows) {
    if (r.first_seq !== expected || r.epoch < epoch) return false;
    const range = Array.from({ length: r.last_seq - r.first_seq + 1 }, (_, i) => r.first_seq + i);
    if (r.seqs.join() !== range.join()) return false;
    expected = r.last_seq + 1;
    epoch = r.epoch;
  }
  return true;
}
