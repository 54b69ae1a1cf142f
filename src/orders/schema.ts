import type { Migration } from '../persistence/migrations.ts';

// The orders' tables. Amounts are integer minor units of the order's currency. An order
// keeps the quote it was sold at (quote jsonb: lines, fees, tax), so later price changes
// never change it. Tickets are written from the journal's SeatsBooked events (the
// projection), never from a request, so the tickets and the seat map cannot disagree.
export const ORDERS_MIGRATION: Migration = {
  version: 9,
  name: 'orders, codes, tickets',
  sql: `
    -- How an event charges: currency, fees ({"fixed": n} or {"percentBp": n}) and tax.
    -- No row: the default policy (EUR, no fees, no tax).
    CREATE TABLE order_policies (
      event_id text PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      ticket_fee jsonb NOT NULL,
      order_fee jsonb NOT NULL,
      tax_rate_bp integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- Promo codes (a discount) and presale codes (access to the presale). uses counts
    -- orders that took the code and were not given up (expired, cancelled before payment);
    -- the CHECK makes the limit exact under concurrent checkouts.
    CREATE TABLE codes (
      event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      code text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('discount', 'presale')),
      discount jsonb,
      max_uses integer CHECK (max_uses > 0),
      uses integer NOT NULL DEFAULT 0,
      valid_from timestamptz,
      valid_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (event_id, code),
      CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
      CHECK ((kind = 'discount') = (discount IS NOT NULL))
    );
    CREATE TABLE orders (
      id text PRIMARY KEY,
      event_id text NOT NULL,
      -- The buyer's account; for a box-office sale, the operator who sold it.
      fan_id text NOT NULL,
      email text NOT NULL,
      name text,
      status text NOT NULL CHECK (status IN
        ('pending_payment', 'paid', 'partially_refunded', 'refunded', 'cancelled', 'expired')),
      channel text NOT NULL CHECK (channel IN ('online', 'box_office')),
      -- 'card' (through the provider), 'free' (nothing to pay), 'cash', 'card_present', 'comp'.
      method text NOT NULL,
      currency text NOT NULL,
      quote jsonb NOT NULL,
      total integer NOT NULL CHECK (total >= 0),
      refunded integer NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= total),
      code text,
      hold_ids text[] NOT NULL,
      -- The provider's payment for this order, once asked for.
      payment_id text UNIQUE,
      -- What the fan's page needs to confirm the payment with the provider.
      payment_secret text,
      payment_status text,
      payment_error text,
      -- Checkout's Idempotency-Key (scoped to the buyer) and a digest of its request body.
      idempotency_key text,
      request_digest text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      paid_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (fan_id, idempotency_key)
    );
    CREATE INDEX orders_fan ON orders (fan_id, created_at DESC);
    CREATE INDEX orders_event ON orders (event_id, status);
    CREATE INDEX orders_email ON orders (email);
    -- Which order each hold went into: the projection finds the order of an expired hold.
    CREATE TABLE order_holds (
      hold_id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders (id) ON DELETE CASCADE
    );
    CREATE INDEX order_holds_order ON order_holds (order_id);
    -- One row per seat or standing place sold. item: the seat's public id, or the area's
    -- id for standing places (place numbers them 1..n within the order).
    CREATE TABLE tickets (
      id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
      event_id text NOT NULL,
      item text NOT NULL,
      place integer NOT NULL DEFAULT 0,
      label text NOT NULL,
      category text NOT NULL,
      price integer NOT NULL,
      status text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'refunded', 'cancelled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, item, place)
    );
    CREATE INDEX tickets_event_item ON tickets (event_id, item);
    -- Money given back, whole orders or tickets; key makes an operator's retry a no-op.
    CREATE TABLE refunds (
      id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
      key text NOT NULL UNIQUE,
      amount integer NOT NULL CHECK (amount >= 0),
      ticket_ids text[] NOT NULL,
      reason text NOT NULL,
      -- Where the seats go: back on sale, or blocked (the operator's choice).
      release text NOT NULL CHECK (release IN ('sale', 'blocked')),
      -- pending until the seat map and the provider have both done their part.
      status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
      provider_refund_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX refunds_order ON refunds (order_id);
    -- How far each durable commit-stream subscriber got, per event (src/actors/commit-stream.ts).
    CREATE TABLE stream_checkpoints (
      subscriber text NOT NULL,
      event_id text NOT NULL,
      version bigint NOT NULL,
      PRIMARY KEY (subscriber, event_id)
    );
    -- An event being cancelled: every paid order refunded, resumed after a restart.
    CREATE TABLE event_cancellations (
      event_id text PRIMARY KEY,
      reason text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
  `,
};
