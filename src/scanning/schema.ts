import type { Migration } from '../persistence/migrations.ts';

// The scanning tables: every scan at the gates (accepted, refused, uploaded from offline
// scanners), each ticket's admission (the one row that makes a ticket used exactly once), and
// each event's gate settings.
export const SCANNING_MIGRATION: Migration = {
  version: 11,
  name: 'scans',
  sql: `
    -- Every scan. outcome: 'admitted' (the ticket's first use, or a re-entry after a scan
    -- out), 'exit' (a scan out), 'duplicate' (a valid credential already used: refused online,
    -- or an offline scan later than the first use), 'refused' (reason: the error code).
    -- Offline scans carry the scanner's nonce: an upload sent twice adds nothing.
    CREATE TABLE scans (
      id bigserial PRIMARY KEY,
      event_id text NOT NULL,
      ticket_id text,
      credential_version integer,
      gate text NOT NULL,
      direction text NOT NULL DEFAULT 'in' CHECK (direction IN ('in', 'out')),
      source text NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'offline')),
      nonce text,
      outcome text NOT NULL CHECK (outcome IN ('admitted', 'exit', 'duplicate', 'refused')),
      reason text,
      scanned_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (event_id, nonce)
    );
    CREATE INDEX scans_ticket ON scans (ticket_id, scanned_at) WHERE ticket_id IS NOT NULL;
    CREATE INDEX scans_event_duplicates ON scans (event_id, scanned_at) WHERE outcome = 'duplicate';
    -- One row per ticket that got in: inserted by its first scan (a primary key, so two gates
    -- scanning the same ticket at once cannot both insert it). first_*: the first use in time
    -- (an offline scan uploaded later but made earlier takes it over). inside: for re-entry.
    CREATE TABLE admissions (
      ticket_id text PRIMARY KEY,
      event_id text NOT NULL,
      first_at timestamptz NOT NULL,
      first_gate text NOT NULL,
      first_scan_id bigint NOT NULL,
      inside boolean NOT NULL DEFAULT true,
      entries integer NOT NULL DEFAULT 1,
      last_at timestamptz NOT NULL
    );
    CREATE INDEX admissions_event ON admissions (event_id);
    -- What an operator sets per event; no row: the defaults (no re-entry).
    CREATE TABLE scan_settings (
      event_id text PRIMARY KEY,
      reentry boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
