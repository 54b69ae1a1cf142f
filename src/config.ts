import { z } from 'zod';

// Every setting comes from the environment, is validated once at start-up, and is
// documented in the README's configuration table.
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().min(1).optional(),
  ONSALE_DATA_DIR: z.string().default('./data'),
  ONSALE_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  /** An unpaid order whose payment has had no news this long is asked about at the provider. */
  ONSALE_PAYMENT_OVERDUE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Connections to the Postgres server: checkouts, the journal and projections share them. */
  ONSALE_DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
  /** Enables POST /internal/events/:id/commands (crash tests, benchmarks). Never in production. */
  ONSALE_INTERNAL_API: z.enum(['0', '1']).default('0'),
  /** Fault injection for tests: drop every Nth seat-change message heard from other members (0: none). */
  ONSALE_FAULT_FANOUT_DROP_EVERY: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** Fault injection for crash tests: delay every journal append by this many ms. */
  ONSALE_FAULT_APPEND_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  ONSALE_DEMO: z.enum(['0', '1']).default('1'),
  /** Open WebSockets per process: kept below the 20,000 open files one process may have here. */
  ONSALE_MAX_SOCKETS: z.coerce.number().int().positive().default(19_000),
  ONSALE_MAX_SOCKETS_PER_IP: z.coerce.number().int().positive().default(5_000),
  /** Bytes queued for one slow socket before uWS skips publishing to it. */
  ONSALE_WS_MAX_BACKPRESSURE: z.coerce
    .number()
    .int()
    .positive()
    .default(1 << 20),
  /** Sustained write requests per second allowed per client IP (bursts of twice that). */
  ONSALE_RATE_IP_PER_SEC: z.coerce.number().positive().default(50),
  /** Sustained write requests per second allowed per account. */
  ONSALE_RATE_ACCOUNT_PER_SEC: z.coerce.number().positive().default(10),
  /** With ONSALE_ADMIN_PASSWORD: this account is created (or promoted) as an admin at start-up. */
  ONSALE_ADMIN_EMAIL: z.email().optional(),
  ONSALE_ADMIN_PASSWORD: z.string().min(8).max(200).optional(),
  /** How long a sign-in lasts, in days. */
  ONSALE_SESSION_DAYS: z.coerce.number().positive().max(3650).default(30),
  /** 1: a waiting room admits below the operator's rate while the event's holds are slow, and not at all once sold out. */
  ONSALE_ADMISSION_FOLLOWS_LOAD: z.enum(['0', '1']).default('1'),
  /** A hold answered slower than this (ms) counts as slow for ONSALE_ADMISSION_FOLLOWS_LOAD. */
  ONSALE_ADMISSION_SLOW_MS: z.coerce.number().int().min(1).max(60_000).default(250),
  /** Journal batches older than this are pruned once snapshots cover them; unset: kept for the event's life. */
  ONSALE_JOURNAL_RETENTION_DAYS: z.coerce.number().positive().max(36_500).optional(),
  /** An event actor with no open sale and no live hold, unused this long, stops (0: never). */
  ONSALE_ACTOR_IDLE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Signs waiting-room tokens (HS256); unset: a secret generated once and kept in the database. */
  ONSALE_JWT_SECRET: z.string().min(32).optional(),
  /** With STRIPE_WEBHOOK_SECRET: payments go through Stripe; unset: the simulated provider. */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  /** The publishable key (pk_…) the checkout page gives Stripe.js for its card form; with STRIPE_SECRET_KEY. */
  STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_[A-Za-z0-9_]+$/, 'a Stripe publishable key starts with pk_')
    .optional(),
  /** The Stripe webhook endpoint's signing secret (whsec_…). */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Another Stripe API base (a local stand-in, http://127.0.0.1:12111); unset: api.stripe.com. */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  /** A payment provider call slower than this fails (and counts against the circuit breaker). */
  ONSALE_PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(10_000),
  /** How long the payment circuit breaker stays open before it lets a probe through. */
  ONSALE_PAYMENT_RESET_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** Signs the simulated provider's webhooks; unset: a secret generated once and kept in the database. */
  ONSALE_SIMULATED_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Mail goes over SMTP to this server (smtp://user:pass@host:587, smtps://…); unset: .eml files under ONSALE_DATA_DIR/outbox. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** Cluster mode: members, event leases and the bus on this Redis (needs a Postgres DATABASE_URL). */
  ONSALE_REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** This member's id in the cluster; unset: host-pid-random. */
  ONSALE_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
  /** Redis key prefix of the cluster (several clusters may share one Redis). */
  ONSALE_CLUSTER_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('onsale'),
  /** Server processes on this machine sharing the port, members of one cluster (needs ONSALE_REDIS_URL). */
  ONSALE_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /** How long an event's lease lasts unless its owner renews it (every third of it). */
  ONSALE_LEASE_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** The From of every mail. */
  ONSALE_MAIL_FROM: z.string().min(3).max(200).default('onsale <tickets@localhost>'),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset (`DATABASE_URL= npm start` runs on PGlite).
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema
    .refine((c) => !c.ONSALE_ADMIN_EMAIL === !c.ONSALE_ADMIN_PASSWORD, {
      path: ['ONSALE_ADMIN_PASSWORD'],
      message: 'set ONSALE_ADMIN_EMAIL and ONSALE_ADMIN_PASSWORD together, or neither',
    })
    .refine((c) => !c.ONSALE_REDIS_URL || !!c.DATABASE_URL, {
      path: ['ONSALE_REDIS_URL'],
      message:
        'cluster mode needs a Postgres server (DATABASE_URL): the embedded PGlite lives in one process and cannot be shared',
    })
    .refine((c) => c.ONSALE_WORKERS === 1 || (!!c.ONSALE_REDIS_URL && c.PORT !== 0), {
      path: ['ONSALE_WORKERS'],
      message:
        'several workers are members of a cluster: set ONSALE_REDIS_URL (and DATABASE_URL) and a fixed PORT',
    })
    .refine((c) => !c.STRIPE_SECRET_KEY === !c.STRIPE_WEBHOOK_SECRET, {
      path: ['STRIPE_WEBHOOK_SECRET'],
      message: 'set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET together, or neither',
    })
    .safeParse(set);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`bad configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}
