import type { Migration } from '../persistence/migrations.ts';

// The tickets' tables: each event's signing keys, each ticket's credential (and who owns the
// ticket now), and the credentials revoked before their ticket stopped being valid. The
// tickets themselves are the orders' (src/orders/schema.ts): written from the journal.
export const TICKETS_MIGRATION: Migration = {
  version: 10,
  name: 'ticket credentials',
  sql: `
    -- Ed25519 keys per event; the one active key signs, every one verifies (rotation).
    -- public_key: SPKI DER; private_key: PKCS#8 DER, stored as it is (not encrypted: whoever
    -- reads this table can sign tickets; keep the database as private as the keys).
    CREATE TABLE event_keys (
      event_id text NOT NULL,
      key_id text NOT NULL,
      public_key bytea NOT NULL,
      private_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz,
      PRIMARY KEY (event_id, key_id)
    );
    -- At most one active key per event: two requests making the first key at once make one.
    CREATE UNIQUE INDEX event_keys_active ON event_keys (event_id) WHERE retired_at IS NULL;
    -- Each ticket's current credential: version n signed into credential, the secret of its
    -- rotating code, and the ticket's owner (the order's buyer until a transfer moves it).
    -- A row is made when the ticket is first read (or a manifest asks for the event's).
    CREATE TABLE ticket_credentials (
      ticket_id text PRIMARY KEY,
      event_id text NOT NULL,
      version integer NOT NULL CHECK (version >= 1),
      secret bytea NOT NULL,
      credential text NOT NULL,
      owner_id text NOT NULL,
      issued_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ticket_credentials_event ON ticket_credentials (event_id);
    CREATE INDEX ticket_credentials_owner ON ticket_credentials (owner_id);
    -- Versions replaced by a reissue or a transfer: a scanner refuses them.
    CREATE TABLE revocations (
      event_id text NOT NULL,
      ticket_id text NOT NULL,
      version integer NOT NULL,
      reason text NOT NULL,
      revoked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (ticket_id, version)
    );
    CREATE INDEX revocations_event ON revocations (event_id, revoked_at);
  `,
};
