// Versioned schema changes, applied in order at start-up. Append only: never edit a
// migration that has shipped.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'journal and snapshots',
    sql: `
      -- Who owns each event's journal: appends must carry the current epoch and continue last_seq.
      CREATE TABLE event_owners (
        event_id text PRIMARY KEY,
        epoch bigint NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0
      );
      -- One row per group-commit batch: entries is msgpack of [seq, at, command, key?] tuples.
      CREATE TABLE journal (
        event_id text NOT NULL,
        first_seq bigint NOT NULL,
        last_seq bigint NOT NULL,
        epoch bigint NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        entries bytea NOT NULL,
        PRIMARY KEY (event_id, first_seq),
        CHECK (last_seq >= first_seq)
      );
      CREATE TABLE snapshots (
        event_id text NOT NULL,
        version bigint NOT NULL,
        state bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, version)
      );
    `,
  },
  {
    version: 2,
    name: 'users and sessions',
    sql: `
      -- Accounts. email is stored trimmed and lower-cased; password_hash is self-describing
      -- (scrypt$N$r$p$salt$hash).
      CREATE TABLE users (
        id text PRIMARY KEY,
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('fan', 'operator', 'admin', 'scanner')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- Sessions keep only the SHA-256 (hex) of their bearer token.
      CREATE TABLE sessions (
        token_hash text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_user_id ON sessions (user_id, expires_at);
    `,
  },
  {
    version: 3,
    name: 'waiting rooms',
    sql: `
      -- One row per event with a waiting room: the operator's switch and rate, how far
      -- admission has got, and the pre-queue lottery (replayed from its seed on recovery).
      CREATE TABLE waiting_rooms (
        event_id text PRIMARY KEY,
        enabled boolean NOT NULL DEFAULT false,
        rate double precision NOT NULL DEFAULT 0 CHECK (rate >= 0),
        serving bigint NOT NULL DEFAULT 0,
        sale_opened boolean NOT NULL DEFAULT false,
        prequeue bigint NOT NULL DEFAULT 0,
        lottery_seed text,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- Tickets in the order they were issued. For fans who joined before the sale opened,
      -- ticket is the provisional (arrival) number; the lottery maps it to the real one.
      CREATE TABLE waiting_room_tickets (
        event_id text NOT NULL,
        ticket bigint NOT NULL,
        account_id text NOT NULL,
        joined_at timestamptz NOT NULL,
        PRIMARY KEY (event_id, ticket)
      );
      -- Tickets passed over because their fan had gone quiet (real, post-lottery numbers).
      CREATE TABLE waiting_room_skips (
        event_id text NOT NULL,
        ticket bigint NOT NULL,
        PRIMARY KEY (event_id, ticket)
      );
      -- Server-wide settings, such as the generated secret that signs waiting-room tokens.
      CREATE TABLE settings (
        key text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
