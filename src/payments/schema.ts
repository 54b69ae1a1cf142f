import type { Migration } from '../persistence/migrations.ts';

// The payments' table: provider webhooks already applied, by the provider's event id, so a
// webhook delivered twice (providers retry) is applied once.
export const PAYMENTS_MIGRATION: Migration = {
  version: 8,
  name: 'payment webhooks',
  sql: `
    CREATE TABLE payment_webhooks (
      provider text NOT NULL,
      id text NOT NULL,
      type text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, id)
    );
  `,
};
