import type { Migration } from '../persistence/migrations.ts';

// The scanning tables: every accepted and refused scan at the gates.
export const SCANNING_MIGRATION: Migration = {
  version: 11,
  name: 'scans',
  sql: `
    CREATE TABLE scans (
      id bigserial PRIMARY KEY,
      event_id text NOT NULL,
      ticket_id text NOT NULL,
      gate text NOT NULL,
      scanned_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
