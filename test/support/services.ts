import pg from 'pg';

// Tests that need a real Postgres or Redis skip with a printed notice when the server is
// absent, and fail instead when ONSALE_REQUIRE_SERVICES=1 (as in CI).

export const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const required = process.env.ONSALE_REQUIRE_SERVICES === '1';

async function reachable(check: () => Promise<void>, name: string): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (e) {
    if (required)
      throw new Error(
        `${name} is required (ONSALE_REQUIRE_SERVICES=1) but unreachable: ${(e as Error).message}`,
      );
    console.warn(`[skip] ${name} unreachable (${(e as Error).message}); its suites are skipped`);
    return false;
  }
}

export function postgresAvailable(): Promise<boolean> {
  return reachable(async () => {
    const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
  }, `Postgres at ${POSTGRES_URL}`);
}

export function redisAvailable(): Promise<boolean> {
  return reachable(async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 });
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  }, `Redis at ${REDIS_URL}`);
}

/** A schema name no other run uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

/**
 * The databases a server suite runs on: embedded PGlite always, the Postgres server in a
 * schema of its own named from `prefix` (env null when it is unreachable: the suite skips,
 * or fails under ONSALE_REQUIRE_SERVICES=1, as postgresAvailable says).
 */
export function databaseTargets(
  prefix: string,
): { name: 'PGlite' | 'Postgres'; env: () => Promise<Record<string, string> | null> }[] {
  return [
    { name: 'PGlite', env: async () => ({}) },
    {
      name: 'Postgres',
      env: async () =>
        (await postgresAvailable())
          ? { DATABASE_URL: POSTGRES_URL, ONSALE_DB_SCHEMA: uniqueSchema(prefix) }
          : null,
    },
  ];
}
