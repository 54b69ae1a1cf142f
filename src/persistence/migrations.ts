import { NOTIFICATIONS_MIGRATION } from '../notifications/schema.ts';
import { ORDERS_MIGRATION } from '../orders/schema.ts';
import { PAYMENTS_MIGRATION } from '../payments/schema.ts';
import { RESALE_MIGRATION } from '../resale/schema.ts';
import { SCANNING_MIGRATION } from '../scanning/schema.ts';
import { TICKETS_MIGRATION } from '../tickets/schema.ts';

// Versioned schema changes, applied in order at start-up. Append only: never edit a
// migration that has shipped. Capabilities from notifications on keep their own tables'
// migrations in their folders (schema.ts); the list here puts them in order.

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
  {
    version: 4,
    name: 'catalog and search',
    sql: `
      -- Trigram similarity (typo-tolerant search). Kept in public so that dropping a
      -- per-run schema never drops it; an existing installation elsewhere is used as is.
      CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
      CREATE TABLE venues (
        id text PRIMARY KEY,
        name text NOT NULL,
        address text NOT NULL DEFAULT '',
        city text NOT NULL,
        country text NOT NULL DEFAULT '',
        lat double precision CHECK (lat BETWEEN -90 AND 90),
        lng double precision CHECK (lng BETWEEN -180 AND 180),
        capacity integer NOT NULL DEFAULT 0 CHECK (capacity >= 0),
        -- The current chart (venue_charts.version); 0 while the venue has none.
        chart_version integer NOT NULL DEFAULT 0,
        -- Folded (lower case, no accents) name and city, for suggestions and the city filter.
        name_key text NOT NULL,
        city_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((lat IS NULL) = (lng IS NULL))
      );
      -- Every chart a venue has had; events pin the version they were created with (their
      -- journals number seats by it), so an import never changes a running event.
      CREATE TABLE venue_charts (
        venue_id text NOT NULL REFERENCES venues (id),
        version integer NOT NULL,
        chart json NOT NULL,
        categories json NOT NULL,
        seats integer NOT NULL,
        ga_capacity integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (venue_id, version)
      );
      CREATE TABLE performers (
        id text PRIMARY KEY,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        name_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE events (
        id text PRIMARY KEY,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text NOT NULL,
        venue_id text NOT NULL REFERENCES venues (id),
        chart_version integer NOT NULL,
        starts_at timestamptz NOT NULL,
        on_sale_at timestamptz,
        presale_at timestamptz,
        status text NOT NULL CHECK (status IN
          ('draft', 'scheduled', 'on_sale', 'paused', 'sold_out', 'completed', 'cancelled')),
        popularity integer NOT NULL DEFAULT 0,
        -- Denormalised for search, refreshed whenever the event, its venue, performers or
        -- price tiers change: the venue's city and position, the prices, the folded
        -- name (suggestions) and the weighted text vector.
        city text NOT NULL DEFAULT '',
        city_key text NOT NULL DEFAULT '',
        lat double precision,
        lng double precision,
        min_price integer,
        max_price integer,
        prices integer[] NOT NULL DEFAULT '{}',
        name_key text NOT NULL DEFAULT '',
        search_vec tsvector NOT NULL DEFAULT ''::tsvector,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX events_search ON events USING gin (search_vec);
      -- Word frequencies good enough for the planner to choose between walking an order
      -- and collecting every match.
      ALTER TABLE events ALTER COLUMN search_vec SET STATISTICS 1000;
      CREATE INDEX events_venue ON events (venue_id);
      CREATE INDEX events_name_prefix ON events (name_key text_pattern_ops);
      -- Listed events (what fans search) in each order a search can walk: date, popularity,
      -- price, within a city or a category, and by position.
      CREATE INDEX events_listed_starts ON events (starts_at)
        WHERE status IN ('scheduled', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_popularity ON events (popularity DESC, starts_at)
        WHERE status IN ('scheduled', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_price ON events (min_price, starts_at)
        WHERE status IN ('scheduled', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_city ON events (city_key, starts_at)
        WHERE status IN ('scheduled', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_category ON events (category, starts_at)
        WHERE status IN ('scheduled', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_position ON events USING gist (point(lng, lat))
        WHERE status IN ('scheduled', 'on_sale', 'paused', 'sold_out') AND lat IS NOT NULL;
      CREATE TABLE event_performers (
        event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        performer_id text NOT NULL REFERENCES performers (id),
        position smallint NOT NULL,
        PRIMARY KEY (event_id, performer_id)
      );
      CREATE INDEX event_performers_performer ON event_performers (performer_id);
      -- Price per chart category, in cents; a category without a tier is not on sale.
      CREATE TABLE price_tiers (
        event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        category text NOT NULL,
        price integer NOT NULL CHECK (price >= 0),
        PRIMARY KEY (event_id, category)
      );
      CREATE INDEX price_tiers_price ON price_tiers (event_id, price);
      -- The words of event names, performers, venues and cities, with how many events carry
      -- each: misspelt query words are corrected against it by trigram similarity, and the
      -- counts tell search whether to collect every match or walk an order.
      CREATE TABLE search_words (word text PRIMARY KEY, ndoc integer NOT NULL DEFAULT 0);
      DO $$
      DECLARE s text;
      BEGIN
        SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'pg_trgm';
        EXECUTE format('CREATE INDEX search_words_trgm ON search_words USING gin (word %I.gin_trgm_ops)', s);
        EXECUTE format('CREATE INDEX performers_name_trgm ON performers USING gin (name_key %I.gin_trgm_ops)', s);
        EXECUTE format('CREATE INDEX venues_name_trgm ON venues USING gin (name_key %I.gin_trgm_ops)', s);
        EXECUTE format('CREATE INDEX events_name_trgm ON events USING gin (name_key %I.gin_trgm_ops)', s);
      END $$;
    `,
  },
  {
    version: 5,
    name: 'journal of events',
    sql: `
      -- What a batch holds: 1 = commands (as journals were written before decide/evolve),
      -- 2 = decided events (src/domain/events.ts). New batches must say which.
      ALTER TABLE journal ADD COLUMN schema smallint NOT NULL DEFAULT 1;
      ALTER TABLE journal ALTER COLUMN schema DROP DEFAULT;
      -- Live holds after the last batch: events that have some are started with the server
      -- (their holds must expire on time, and their fans find them), the others on first use.
      ALTER TABLE event_owners ADD COLUMN live_holds integer NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    name: 'presale and sale times',
    sql: `
      -- 'presale': the sale is open to invited fans only, between presale_at and on_sale_at.
      ALTER TABLE events DROP CONSTRAINT events_status_check;
      ALTER TABLE events ADD CONSTRAINT events_status_check CHECK (status IN
        ('draft', 'scheduled', 'presale', 'on_sale', 'paused', 'sold_out', 'completed', 'cancelled'));
      -- Presale events are listed too: the listing indexes take them in.
      DROP INDEX events_listed_starts;
      DROP INDEX events_listed_popularity;
      DROP INDEX events_listed_price;
      DROP INDEX events_listed_city;
      DROP INDEX events_listed_category;
      DROP INDEX events_listed_position;
      CREATE INDEX events_listed_starts ON events (starts_at)
        WHERE status IN ('scheduled', 'presale', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_popularity ON events (popularity DESC, starts_at)
        WHERE status IN ('scheduled', 'presale', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_price ON events (min_price, starts_at)
        WHERE status IN ('scheduled', 'presale', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_city ON events (city_key, starts_at)
        WHERE status IN ('scheduled', 'presale', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_category ON events (category, starts_at)
        WHERE status IN ('scheduled', 'presale', 'on_sale', 'paused', 'sold_out');
      CREATE INDEX events_listed_position ON events USING gist (point(lng, lat))
        WHERE status IN ('scheduled', 'presale', 'on_sale', 'paused', 'sold_out') AND lat IS NOT NULL;
      -- The sale clock looks for events whose presale or on-sale time has come.
      CREATE INDEX events_sale_due ON events (least(presale_at, on_sale_at))
        WHERE status IN ('scheduled', 'presale');
      -- Fans invited to an event's presale, by account email (stored trimmed, lower case).
      CREATE TABLE presale_invitations (
        event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, email)
      );
    `,
  },
  NOTIFICATIONS_MIGRATION,
  PAYMENTS_MIGRATION,
  ORDERS_MIGRATION,
  TICKETS_MIGRATION,
  SCANNING_MIGRATION,
  RESALE_MIGRATION,
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
