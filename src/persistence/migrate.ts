import type { Db } from './db.ts';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.ts';

export class SchemaTooNewError extends Error {}

/**
 * Applies pending migrations in one transaction, under an advisory lock so two processes
 * starting together do not both migrate. Refuses a database newer than this code.
 */
export async function migrate(db: Db, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const latest = migrations.length > 0 ? migrations[migrations.length - 1].version : 0;
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('onsale-migrations'))`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    if (current > latest) {
      throw new SchemaTooNewError(
        `database schema is at version ${current}, newer than this code (${latest}); upgrade onsale`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

export { LATEST_VERSION };
