import type { Migration } from '../persistence/migrations.ts';

// The notifications' table: mail to send, written in the same transaction as the change it
// tells of (an order paid, refunded, cancelled), so a committed change always has its mail
// and a rolled-back one never does. The sender works through it with retries.
export const NOTIFICATIONS_MIGRATION: Migration = {
  version: 7,
  name: 'outbox',
  sql: `
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      -- What the mail is about ('order_confirmed', 'order_refunded', 'event_cancelled', …).
      kind text NOT NULL,
      -- Sending the same thing twice is refused: one mail per (kind, dedupe_key).
      dedupe_key text NOT NULL,
      recipient text NOT NULL,
      subject text NOT NULL,
      text_body text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      -- Given up on after too many attempts; kept for an operator to see.
      failed_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (kind, dedupe_key)
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
  `,
};
