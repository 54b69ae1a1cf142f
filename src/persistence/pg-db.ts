import pg from 'pg';
import type { Db, QueryResult } from './db.ts';

const INT8 = 20;
const parseInt8 = (v: string) => Number(v);

function wrap(client: pg.Pool | pg.PoolClient, inTx: boolean, pool: pg.Pool): Db {
  const db: Db = {
    kind: 'postgres',
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      const r = await client.query(sql, params);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (inTx) return fn(db);
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(wrap(c, true, pool));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
    async close() {
      if (!inTx) await pool.end();
    },
  };
  return db;
}

/** A Postgres server. `schema` (created if missing) isolates test runs from each other. */
export async function openPgDb(url: string, schema?: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    options: schema ? `-c search_path=${schema}` : undefined,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'),
    },
  });
  pool.on('error', () => {}); // an idle client's error surfaces on its next query instead
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name "${schema}"`);
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }
  return wrap(pool, false, pool);
}
