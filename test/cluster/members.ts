import pg from 'pg';
import { type ServerProcess, startServerProcess, waitReady } from '../support/server-process.ts';
import { dropSchema, POSTGRES_URL, REDIS_URL, uniqueSchema } from '../support/services.ts';
import { Shop } from '../support/shop.ts';

// Cluster members for the suites: real server processes on one Postgres schema and one Redis
// key prefix of their own (no demo catalog), started one at a time (the first migrates), and
// stopped with the schema dropped.

export class Members {
  readonly schema: string;
  readonly prefix: string;
  readonly procs: ServerProcess[] = [];
  readonly shops: Shop[] = [];

  constructor(
    name: string,
    private readonly base: Record<string, string> = {},
  ) {
    this.schema = uniqueSchema(name);
    this.prefix = `onsale-${name}-${process.pid}-${Date.now().toString(36)}`;
  }

  /** The environment of member `id`: the cluster's, the suite's, then `extra`. */
  env(id: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: POSTGRES_URL,
      ONSALE_DB_SCHEMA: this.schema,
      ONSALE_REDIS_URL: REDIS_URL,
      ONSALE_CLUSTER_PREFIX: this.prefix,
      ONSALE_NODE_ID: id,
      ONSALE_DEMO: '0',
      ...this.base,
      ...extra,
    };
  }

  /** Starts member `id` and waits until it is ready. */
  async start(id: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
    const p = await startServerProcess(this.env(id, extra));
    await waitReady(p.url);
    this.procs.push(p);
    this.shops.push(new Shop(p.url));
    return p;
  }

  /** The epoch of each journal batch of the event, in journal order. */
  async journalEpochs(eventId: string): Promise<number[]> {
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT epoch FROM "${this.schema}".journal WHERE event_id = $1 ORDER BY first_seq`,
        [eventId],
      );
      return rows.map((r) => Number(r.epoch));
    } finally {
      await c.end();
    }
  }

  async stop(): Promise<void> {
    for (const p of this.procs) p.child.kill('SIGKILL');
    await Promise.all(this.procs.map((p) => p.exited));
    await dropSchema(this.schema);
  }
}
