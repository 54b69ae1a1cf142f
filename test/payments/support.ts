import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import type { PaymentEvent, PaymentEventSink } from '../../src/payments/provider.ts';
import { recordWebhook } from '../../src/payments/webhooks.ts';
import { type Server, startServer } from '../../src/server.ts';
import { pgliteTemplate } from '../support/server.ts';
import { dropSchema, POSTGRES_URL, postgresAvailable, uniqueSchema } from '../support/services.ts';

// The payments suites' server: the real one in-process (as test/support/server.ts starts it)
// on either database adapter, with a recording sink in place of the orders capability. The
// sink applies each event the way orders must: recordWebhook in the transaction of its effect.

export const pgUp = await postgresAvailable();

/** Stands in for the orders capability: counts deliveries and what it applied (once each). */
export class RecordingSink implements PaymentEventSink {
  readonly received: PaymentEvent[] = [];
  readonly applied: PaymentEvent[] = [];
  /** Throw on the next n events (the webhook is answered 500). */
  failNext = 0;
  server: Server | null = null;

  async paymentEvent(e: PaymentEvent): Promise<void> {
    this.received.push(e);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('the sink is down (test)');
    }
    const db = this.server!.db;
    const fresh = await db.transaction(async (tx) => recordWebhook(tx, e));
    if (fresh) this.applied.push(e);
  }

  about(paymentId: string): PaymentEvent[] {
    return this.applied.filter((e) => e.paymentId === paymentId);
  }
}

export interface PaymentsServer {
  server: Server;
  url: string;
  sink: RecordingSink;
  restart(): Promise<PaymentsServer>;
  stop(): Promise<void>;
}

export type Adapter = 'PGlite' | 'Postgres';

export async function startPaymentsServer(
  adapter: Adapter,
  env: Record<string, string> = {},
  state: { dir?: string; schema?: string; sink?: RecordingSink } = {},
): Promise<PaymentsServer> {
  const fresh = !state.dir;
  const dir = state.dir ?? mkdtempSync(join(tmpdir(), 'onsale-payments-'));
  if (fresh && adapter === 'PGlite') cpSync(await pgliteTemplate(), dir, { recursive: true });
  const schema = state.schema ?? uniqueSchema('payments');
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ONSALE_DATA_DIR: dir,
    ONSALE_DEMO: '0',
    LOG_LEVEL: 'silent',
    ONSALE_RATE_IP_PER_SEC: '100000',
    ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
    ...(adapter === 'Postgres' ? { DATABASE_URL: POSTGRES_URL, ONSALE_DB_SCHEMA: schema } : {}),
    ...env,
  });
  const sink = state.sink ?? new RecordingSink();
  const server = await startServer(config, pino({ level: 'silent' }), { paymentSink: sink });
  sink.server = server;
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= server.close();
    return closing;
  };
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    sink,
    async restart() {
      await close();
      return startPaymentsServer(adapter, env, { dir, schema, sink });
    },
    async stop() {
      try {
        await close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        if (adapter === 'Postgres') await dropSchema(schema);
      }
    },
  };
}

/** Polls until `check` holds (or fails the test after `ms`). */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
