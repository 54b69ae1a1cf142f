import { register } from 'node:module';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { openDb } from './persistence/open-db.ts';

// PGlite's files load as Node loads them, past tsx (see the hook).
register('./persistence/pglite-load.ts', import.meta.url);

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
if (config.ONSALE_WORKERS > 1) {
  const { superviseWorkers } = await import('./cluster/workers.ts');
  superviseWorkers(config.ONSALE_WORKERS, log);
} else await serve();

async function serve(): Promise<void> {
  // The database opens (PGlite: reads and compiles its WASM, starts Postgres) while the rest
  // of the server's modules load; startServer takes it from there.
  const db = openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.ONSALE_DATA_DIR,
    schema: config.ONSALE_DB_SCHEMA,
    poolSize: config.ONSALE_DB_POOL_SIZE,
  });
  db.catch(() => {}); // startServer awaits it and reports the failure

  try {
    const { startServer } = await import('./server.ts');
    const server = await startServer(config, log, { db });
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'unclean shutdown');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  } catch (err) {
    log.fatal({ err }, 'onsale failed to start');
    process.exit(1);
  }
}
