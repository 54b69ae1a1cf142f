import type { Migration } from '../persistence/migrations.ts';

// The payments' tables.
// - payment_webhooks: provider webhooks already applied, by the provider's event id, so a
//   webhook delivered twice (providers retry) is applied once. The orders capability inserts
//   into it (recordWebhook) in the transaction that applies the event.
// - simulated_*: the simulated provider's own books (used when Stripe is not configured), so
//   its payments, refunds and owed webhooks survive a restart or kill -9 as Stripe's would.
export const PAYMENTS_MIGRATION: Migration = {
  version: 8,
  name: 'payment webhooks, simulated provider',
  sql: `
    CREATE TABLE payment_webhooks (
      provider text NOT NULL,
      id text NOT NULL,
      type text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, id)
    );
    -- One row per payment intent. refunded: the sum of its refunds; the CHECK keeps refunds
    -- within the captured amount under concurrent requests.
    CREATE TABLE simulated_payments (
      id text PRIMARY KEY,
      idempotency_key text NOT NULL UNIQUE,
      order_id text NOT NULL,
      amount integer NOT NULL CHECK (amount > 0),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      email text,
      description text,
      client_secret text NOT NULL,
      status text NOT NULL CHECK (status IN ('requires_payment', 'succeeded', 'failed', 'canceled')),
      error_code text,
      error_message text,
      card_last4 text,
      refunded integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (refunded >= 0 AND refunded <= amount)
    );
    CREATE TABLE simulated_refunds (
      id text PRIMARY KEY,
      payment_id text NOT NULL REFERENCES simulated_payments (id),
      idempotency_key text NOT NULL UNIQUE,
      amount integer NOT NULL CHECK (amount > 0),
      reason text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- The webhooks the simulator owes (an outbox): written in the transaction of the change
    -- they announce, delivered until the server answers 2xx, or abandoned after 3 days of
    -- retries (as Stripe does).
    CREATE TABLE simulated_webhooks (
      id text PRIMARY KEY,
      payload text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      abandoned_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX simulated_webhooks_owed ON simulated_webhooks (next_attempt_at) WHERE delivered_at IS NULL AND abandoned_at IS NULL;
  `,
};
