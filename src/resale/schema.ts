import type { Migration } from '../persistence/migrations.ts';

// The resale market's tables. A listing's existence follows the journal: ResaleListed makes
// it, ResaleWithdrawn and a sale's SeatsTransferred close it (projection.ts), so the listings
// and the seat map's `resale` seats agree after any crash. Amounts are minor units.
export const RESALE_MIGRATION: Migration = {
  version: 12,
  name: 'resale',
  sql: `
    -- Per event: the most a ticket may be offered for, in basis points of its face value
    -- (what its first buyer paid for it, fees and tax included); no row: 10000 (face value).
    CREATE TABLE resale_policies (
      event_id text PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
      cap_bp integer NOT NULL CHECK (cap_bp BETWEEN 0 AND 100000),
      enabled boolean NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- order_id/reserved_until: the buyer's order that has it until then (a checkout); after a
    -- sale, the order that bought it.
    CREATE TABLE resale_listings (
      id text PRIMARY KEY,
      event_id text NOT NULL,
      ticket_id text NOT NULL,
      seat integer NOT NULL,
      item text NOT NULL,
      label text NOT NULL,
      category text NOT NULL,
      seller_id text NOT NULL,
      seller_order_id text NOT NULL,
      price integer NOT NULL CHECK (price > 0),
      currency text NOT NULL,
      status text NOT NULL CHECK (status IN ('listed', 'sold', 'withdrawn')),
      order_id text,
      reserved_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz
    );
    CREATE UNIQUE INDEX resale_listings_open ON resale_listings (ticket_id) WHERE status = 'listed';
    CREATE INDEX resale_listings_event ON resale_listings (event_id, status);
    CREATE INDEX resale_listings_seller ON resale_listings (seller_id, created_at DESC);
    -- What each seller is owed for a sale. Simulated: recorded here and reported; Stripe
    -- Connect transfers would pay it out (docs/tickets.md).
    CREATE TABLE resale_payouts (
      listing_id text PRIMARY KEY REFERENCES resale_listings (id),
      seller_id text NOT NULL,
      order_id text NOT NULL,
      amount integer NOT NULL CHECK (amount >= 0),
      currency text NOT NULL,
      status text NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'paid')),
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
