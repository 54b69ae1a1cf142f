import type { Migration } from '../persistence/migrations.ts';

// The tickets' tables: each event's signing keys and each ticket's credential.
export const TICKETS_MIGRATION: Migration = {
  version: 10,
  name: 'ticket credentials',
  sql: `
    -- Ed25519 keys per event; the newest active one signs, every one verifies (rotation).
    CREATE TABLE event_keys (
      event_id text NOT NULL,
      key_id text NOT NULL,
      public_key bytea NOT NULL,
      private_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz,
      PRIMARY KEY (event_id, key_id)
    );
  `,
};
