import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/persistence/db.ts';
import { LATEST_VERSION, migrate, SchemaTooNewError } from '../../src/persistence/migrate.ts';
import { MIGRATIONS, type Migration } from '../../src/persistence/migrations.ts';
import { openPgDb } from '../../src/persistence/pg-db.ts';
import { POSTGRES_URL } from '../support/services.ts';
import type { SuiteContext } from './adapters.ts';

// The Db port and the migrations, on both adapters: the same SQL must behave the same on
// embedded PGlite and on a Postgres server.

const boom = new Error('boom');

/** The Db port and the migrations, each test on an emptied database (`ctx.db`, not migrated). */
export function dbSuite(ctx: SuiteContext): void {
  const { adapter } = ctx;
  describe('database', () => {
    let db: Db;

    beforeEach(async () => {
      db = ctx.db;
      await ctx.store.wipe(db);
    });

    /** Runs `fn` with the suite's handle closed (PGlite opens a directory once at a time). */
    async function withSuiteDbClosed(fn: () => Promise<void>): Promise<void> {
      await db.close();
      try {
        await fn();
      } finally {
        ctx.db = db = await ctx.store.open();
      }
    }

    const count = async (table: string, on: Db = db) =>
      (await on.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n;
    const exists = async (table: string, on: Db = db) =>
      (await on.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table])).rows[0]
        .present;
    const tablesInSchema = async (on: Db = db) =>
      (
        await on.query<{ name: string }>(
          'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename',
        )
      ).rows.map((r) => r.name);
    const recorded = async (on: Db = db) =>
      (
        await on.query<{ version: number; name: string; applied_at: Date }>(
          'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
        )
      ).rows;

    describe('the Db port', () => {
      it('works in its own schema', async () => {
        const { rows } = await db.query<{ s: string }>('SELECT current_schema() AS s');
        expect(rows[0].s).toBe(ctx.store.schema);
        expect(db.kind).toBe(adapter.kind);
      });

      it('binds text, boolean, null, int8 and bytea parameters and reads them back typed; bytea byte for byte', async () => {
        await db.exec('CREATE TABLE items (id int8 PRIMARY KEY, label text, flag boolean, body bytea)');
        const all = Uint8Array.from({ length: 256 }, (_, i) => i);
        const view = all.subarray(100, 110); // a view at an offset: only its own ten bytes go in
        const max = Number.MAX_SAFE_INTEGER;
        await db.query('INSERT INTO items VALUES ($1, $2, $3, $4), ($5, $6, $7, $8), ($9, $10, $11, $12)', [
          1,
          'every byte',
          true,
          all,
          2,
          "a view, l'apostrophe, ünïcödé ✓",
          false,
          view,
          max,
          null,
          null,
          new Uint8Array(0),
        ]);
        const { rows } = await db.query<{
          id: number;
          label: string | null;
          flag: boolean | null;
          body: Uint8Array;
        }>('SELECT id, label, flag, body FROM items ORDER BY id');
        expect(rows.map((r) => r.id)).toEqual([1, 2, max]);
        for (const r of rows) {
          expect(typeof r.id).toBe('number');
          expect(r.body).toBeInstanceOf(Uint8Array);
        }
        expect(Array.from(rows[0].body)).toEqual(Array.from(all));
        expect(Array.from(rows[1].body)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
        expect(rows[2].body).toHaveLength(0);
        expect(rows.map((r) => [r.label, r.flag])).toEqual([
          ['every byte', true],
          ["a view, l'apostrophe, ünïcödé ✓", false],
          [null, null],
        ]);
        // A bytea parameter compares by content.
        const found = await db.query<{ id: number }>('SELECT id FROM items WHERE body = $1', [
          Uint8Array.from([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]),
        ]);
        expect(found.rows).toEqual([{ id: 2 }]);
      });

      it('returns int8 as a JS number: columns, casts, count(*) and parameters', async () => {
        const { rows } = await db.query<Record<string, unknown>>(
          'SELECT $1::int8 AS big, 42::int8 AS lit, (-7)::int8 AS neg, count(*) AS n FROM generate_series(1, 3)',
          [2 ** 40 + 3],
        );
        expect(rows[0]).toStrictEqual({ big: 2 ** 40 + 3, lit: 42, neg: -7, n: 3 });
      });

      it('counts the rows a statement changed or returned, as pg does', async () => {
        await db.exec('CREATE TABLE items (id int8 PRIMARY KEY, label text)');
        expect((await db.query("INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')")).rowCount).toBe(3);
        expect((await db.query("UPDATE items SET label = 'x' WHERE id >= $1", [2])).rowCount).toBe(2);
        expect((await db.query('UPDATE items SET label = $1 WHERE id = 99', ['y'])).rowCount).toBe(0);
        expect((await db.query('DELETE FROM items WHERE id = 1')).rowCount).toBe(1);
        const selected = await db.query('SELECT * FROM items');
        expect(selected.rows).toHaveLength(2);
        expect(selected.rowCount).toBe(2);
        expect((await db.query('SELECT * FROM items WHERE id = 99')).rowCount).toBe(0);
      });

      it('exec runs several statements in one string', async () => {
        await db.exec(
          'CREATE TABLE items (id int8 PRIMARY KEY); INSERT INTO items VALUES (1); INSERT INTO items VALUES (2)',
        );
        expect(await count('items')).toBe(2);
      });

      it('commits a transaction that resolves, and returns its value', async () => {
        await db.exec('CREATE TABLE items (id int8 PRIMARY KEY)');
        const out = await db.transaction(async (tx) => {
          await tx.query('INSERT INTO items VALUES ($1)', [1]);
          await tx.query('INSERT INTO items VALUES ($1)', [2]);
          return (await tx.query<{ n: number }>('SELECT count(*) AS n FROM items')).rows[0].n;
        });
        expect(out).toBe(2);
        expect(await count('items')).toBe(2);
      });

      it('rolls a transaction back when it throws, with the thrown error, and stays usable', async () => {
        await db.exec('CREATE TABLE items (id int8 PRIMARY KEY, label text)');
        await db.query("INSERT INTO items VALUES (1, 'before')");
        await expect(
          db.transaction(async (tx) => {
            await tx.query("INSERT INTO items VALUES (2, 'inside')");
            await tx.query("UPDATE items SET label = 'changed' WHERE id = 1");
            throw boom;
          }),
        ).rejects.toBe(boom);
        // A failing statement rolls back what ran before it in the same transaction.
        await expect(
          db.transaction(async (tx) => {
            await tx.query("INSERT INTO items VALUES (3, 'inside')");
            await tx.query("INSERT INTO items VALUES (1, 'duplicate')");
          }),
        ).rejects.toThrow(/duplicate key/);
        expect((await db.query('SELECT id, label FROM items ORDER BY id')).rows).toEqual([
          { id: 1, label: 'before' },
        ]);
        // Not left inside an aborted transaction: the next ones work.
        await db.transaction((tx) => tx.query("INSERT INTO items VALUES (4, 'after')"));
        await db.query("INSERT INTO items VALUES (5, 'after')");
        expect(await count('items')).toBe(3);
      });

      it('a nested transaction call joins the outer transaction: same transaction id, rolled back with it', async () => {
        await db.exec('CREATE TABLE items (id int8 PRIMARY KEY)');
        const txid = (on: Db) =>
          on.query<{ id: number }>('SELECT txid_current() AS id').then((r) => r.rows[0].id);
        let outerId = 0;
        let innerId = 0;
        await expect(
          db.transaction(async (tx) => {
            outerId = await txid(tx);
            innerId = await tx.transaction(async (inner) => {
              await inner.query('INSERT INTO items VALUES (1)');
              return txid(inner);
            });
            // The nested call resolved, yet nothing is committed until the outer one is.
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(innerId).toBe(outerId);
        expect(await count('items')).toBe(0);

        const ids = await db.transaction(async (tx) => {
          const a = await txid(tx);
          const b = await tx.transaction(async (inner) => {
            await inner.query('INSERT INTO items VALUES (2)');
            return txid(inner);
          });
          return [a, b];
        });
        expect(ids[0]).toBe(ids[1]);
        expect(ids[0]).not.toBe(outerId); // a new top-level call is a new transaction
        expect((await db.query('SELECT id FROM items')).rows).toEqual([{ id: 2 }]);
      });

      it.runIf(adapter.kind === 'postgres')(
        'openPgDb refuses a schema name that is not a plain identifier (it goes into SQL as is)',
        async () => {
          await expect(openPgDb(POSTGRES_URL, 'x; DROP TABLE journal')).rejects.toThrow(/bad schema name/);
          await expect(openPgDb(POSTGRES_URL, 'Upper')).rejects.toThrow(/bad schema name/);
        },
      );

      it.runIf(adapter.kind === 'postgres')(
        'keeps a transaction’s writes invisible to other connections until it commits',
        async () => {
          await db.exec('CREATE TABLE items (id int8 PRIMARY KEY)');
          let seenInside = -1;
          await db.transaction(async (tx) => {
            await tx.query('INSERT INTO items VALUES (1)');
            seenInside = await count('items', db); // the pool: another connection
            expect(await count('items', tx)).toBe(1);
          });
          expect(seenInside).toBe(0);
          expect(await count('items')).toBe(1);
        },
      );
    });

    describe('migrations', () => {
      const allVersions = MIGRATIONS.map((m) => m.version);

      it('bring a fresh database to the latest version, recording every migration', async () => {
        expect(await exists('schema_migrations')).toBe(false);
        expect(await migrate(db)).toEqual(allVersions);
        expect(allVersions[allVersions.length - 1]).toBe(LATEST_VERSION);
        expect((await recorded()).map(({ version, name }) => ({ version, name }))).toEqual(
          MIGRATIONS.map(({ version, name }) => ({ version, name })),
        );
        for (const table of ['event_owners', 'journal', 'snapshots']) expect(await exists(table)).toBe(true);
      });

      it('apply nothing the second time, and leave the data alone', async () => {
        await migrate(db);
        const first = await recorded();
        await db.query('INSERT INTO event_owners (event_id, epoch) VALUES ($1, 7)', ['kept']);
        expect(await migrate(db)).toEqual([]);
        expect(await recorded()).toEqual(first);
        expect((await db.query('SELECT epoch FROM event_owners')).rows).toEqual([{ epoch: 7 }]);
      });

      it('apply only the pending ones to a database part of the way there', async () => {
        expect(await migrate(db, MIGRATIONS.slice(0, 1))).toEqual([MIGRATIONS[0].version]);
        const extra: Migration = {
          version: LATEST_VERSION + 1,
          name: 'extra',
          sql: 'CREATE TABLE extra (x int)',
        };
        expect(await migrate(db, [...MIGRATIONS, extra])).toEqual([...allVersions.slice(1), extra.version]);
        expect((await recorded()).map((r) => r.version)).toEqual([...allVersions, extra.version]);
        expect(await exists('extra')).toBe(true);
      });

      it('through openDb: a fresh database is migrated, and opening it again applies nothing', async () => {
        await withSuiteDbClosed(async () => {
          const first = await ctx.store.openMigrated();
          const versions = await recorded(first);
          expect(versions.map((r) => r.version)).toEqual(allVersions);
          await first.query('INSERT INTO event_owners (event_id, epoch) VALUES ($1, 3)', ['kept']);
          await first.close();
          const again = await ctx.store.openMigrated();
          expect(await recorded(again)).toEqual(versions);
          expect(await count('event_owners', again)).toBe(1);
          await again.close();
        });
      });

      it('refuse a database newer than the code (SchemaTooNewError), through migrate and openDb, changing nothing', async () => {
        await migrate(db, MIGRATIONS.slice(0, 1));
        await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          LATEST_VERSION + 1,
          'from the future',
        ]);
        const before = { versions: await recorded(), tables: await tablesInSchema() };
        const pending: Migration = { version: 2, name: 'never', sql: 'CREATE TABLE never_created (x int)' };
        const err = await migrate(db, [MIGRATIONS[0], pending]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SchemaTooNewError);
        expect((err as Error).message).toMatch(
          new RegExp(`version ${LATEST_VERSION + 1}, newer than this code`),
        );
        await expect(migrate(db)).rejects.toBeInstanceOf(SchemaTooNewError);
        await withSuiteDbClosed(async () => {
          await expect(ctx.store.openMigrated()).rejects.toBeInstanceOf(SchemaTooNewError);
        });
        expect({ versions: await recorded(), tables: await tablesInSchema() }).toEqual(before);
        expect(await exists('never_created')).toBe(false);
      });

      it('roll back everything of the run when one migration fails, even the ones before it', async () => {
        const good: Migration = {
          version: LATEST_VERSION + 1,
          name: 'good',
          sql: 'CREATE TABLE extra_good (x int); INSERT INTO extra_good VALUES (1)',
        };
        const bad: Migration = {
          version: LATEST_VERSION + 2,
          name: 'bad',
          sql: 'CREATE TABLE extra_bad (x int); SELECT * FROM no_such_table',
        };
        // On a fresh database: not even schema_migrations or the first migration's tables remain.
        await expect(migrate(db, [...MIGRATIONS, good, bad])).rejects.toThrow(/no_such_table/);
        expect(await tablesInSchema()).toEqual([]);
        // On a migrated one: the latest version stays the latest, extra tables are gone.
        expect(await migrate(db)).toEqual(allVersions);
        const before = await recorded();
        await expect(migrate(db, [...MIGRATIONS, good, bad])).rejects.toThrow(/no_such_table/);
        expect(await recorded()).toEqual(before);
        expect(await exists('extra_good')).toBe(false);
        expect(await exists('extra_bad')).toBe(false);
        // And the database is not stuck: the good one alone applies.
        expect(await migrate(db, [...MIGRATIONS, good])).toEqual([good.version]);
        expect(await count('extra_good')).toBe(1);
      });

      it('let one of several concurrent migrators apply, the others wait and apply nothing', async () => {
        // Separate pools on Postgres (as separate processes would be); PGlite is one session.
        const others =
          adapter.kind === 'postgres' ? [await ctx.store.open(), await ctx.store.open()] : [db, db];
        try {
          const results = await Promise.all([db, ...others].map((on) => migrate(on)));
          const sorted = results.map((r) => r.join()).sort();
          expect(sorted).toEqual(['', '', allVersions.join()]);
          expect((await recorded()).map((r) => r.version)).toEqual(allVersions);
        } finally {
          for (const o of others) if (o !== db) await o.close();
        }
      });
    });
  });
}
