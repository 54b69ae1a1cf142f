import { randomBytes } from 'node:crypto';
import type { Db } from '../persistence/db.ts';
import type { IntentStatus } from './provider.ts';

// The simulated provider's books on the Db port (tables of migration 8): payment intents,
// refunds, the outbox of webhooks it owes, and its generated webhook secret.

const SECRET_KEY = 'simulated_webhook_secret';

/**
 * The webhook signing secret kept in `settings`, generated on first use (as the waiting
 * room keeps its token secret), so webhooks owed across a restart still verify.
 */
export async function loadWebhookSecret(db: Db): Promise<string> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    SECRET_KEY,
    `whsec_${randomBytes(32).toString('base64url')}`,
  ]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [
    SECRET_KEY,
  ]);
  return rows[0].value;
}

export interface IntentRow {
  id: string;
  idempotency_key: string;
  order_id: string;
  amount: number;
  currency: string;
  client_secret: string;
  status: IntentStatus;
  error_code: string | null;
  error_message: string | null;
  refunded: number;
}

const INTENT = `id, idempotency_key, order_id, amount, currency, client_secret, status, error_code, error_message, refunded`;

export async function insertIntent(
  db: Db,
  i: {
    id: string;
    key: string;
    orderId: string;
    amount: number;
    currency: string;
    email?: string;
    description?: string;
    clientSecret: string;
  },
): Promise<IntentRow> {
  const inserted = await db.query<IntentRow>(
    `INSERT INTO simulated_payments
       (id, idempotency_key, order_id, amount, currency, email, description, client_secret, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requires_payment')
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING ${INTENT}`,
    [i.id, i.key, i.orderId, i.amount, i.currency, i.email ?? null, i.description ?? null, i.clientSecret],
  );
  if (inserted.rows[0]) return inserted.rows[0];
  const { rows } = await db.query<IntentRow>(
    `SELECT ${INTENT} FROM simulated_payments WHERE idempotency_key = $1`,
    [i.key],
  );
  return rows[0];
}

export async function findIntent(db: Db, id: string): Promise<IntentRow | null> {
  const { rows } = await db.query<IntentRow>(`SELECT ${INTENT} FROM simulated_payments WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * Settles a confirm: succeeded or failed (a declined intent may be confirmed again, as
 * Stripe's goes back to requires_payment_method); null when it was already paid or
 * cancelled (a concurrent confirm won).
 */
export async function settleIntent(
  tx: Db,
  id: string,
  s: { status: 'succeeded' | 'failed'; errorCode: string | null; errorMessage: string | null; last4: string },
): Promise<IntentRow | null> {
  const { rows } = await tx.query<IntentRow>(
    `UPDATE simulated_payments
        SET status = $2, error_code = $3, error_message = $4, card_last4 = $5, updated_at = now()
      WHERE id = $1 AND status IN ('requires_payment', 'failed')
      RETURNING ${INTENT}`,
    [id, s.status, s.errorCode, s.errorMessage, s.last4],
  );
  return rows[0] ?? null;
}

export interface RefundRow {
  id: string;
  payment_id: string;
  amount: number;
}

export async function findRefund(db: Db, key: string): Promise<RefundRow | null> {
  const { rows } = await db.query<RefundRow>(
    'SELECT id, payment_id, amount FROM simulated_refunds WHERE idempotency_key = $1',
    [key],
  );
  return rows[0] ?? null;
}

/** Adds `amount` to a paid intent's refunded total if it fits; null when it does not (or is unpaid). */
export async function takeRefund(tx: Db, paymentId: string, amount: number): Promise<IntentRow | null> {
  const { rows } = await tx.query<IntentRow>(
    `UPDATE simulated_payments SET refunded = refunded + $2, updated_at = now()
      WHERE id = $1 AND status = 'succeeded' AND refunded + $2 <= amount
      RETURNING ${INTENT}`,
    [paymentId, amount],
  );
  return rows[0] ?? null;
}

export async function insertRefund(
  tx: Db,
  r: { id: string; paymentId: string; key: string; amount: number; reason?: string },
): Promise<void> {
  await tx.query(
    'INSERT INTO simulated_refunds (id, payment_id, idempotency_key, amount, reason) VALUES ($1, $2, $3, $4, $5)',
    [r.id, r.paymentId, r.key, r.amount, r.reason ?? null],
  );
}

// ------------------------------------------------------------------------ the outbox

export interface OwedWebhook {
  id: string;
  payload: string;
  attempts: number;
  /** When the next attempt is due, ms since the epoch. */
  due: number;
  /** When it was first owed, ms since the epoch. */
  created: number;
}

export async function owe(tx: Db, id: string, payload: string): Promise<void> {
  await tx.query('INSERT INTO simulated_webhooks (id, payload) VALUES ($1, $2)', [id, payload]);
}

export async function owedWebhook(db: Db, id: string): Promise<OwedWebhook | null> {
  const { rows } = await db.query<OwedWebhook>(
    `SELECT id, payload, attempts, (extract(epoch FROM next_attempt_at) * 1000)::float8 AS due,
            (extract(epoch FROM created_at) * 1000)::float8 AS created
       FROM simulated_webhooks WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Every webhook not yet delivered, oldest first (resumed after a restart). */
export async function owedWebhooks(db: Db): Promise<OwedWebhook[]> {
  const { rows } = await db.query<OwedWebhook>(
    `SELECT id, payload, attempts, (extract(epoch FROM next_attempt_at) * 1000)::float8 AS due,
            (extract(epoch FROM created_at) * 1000)::float8 AS created
       FROM simulated_webhooks WHERE delivered_at IS NULL AND abandoned_at IS NULL ORDER BY created_at, id`,
  );
  return rows;
}

export async function markDelivered(db: Db, id: string): Promise<void> {
  await db.query(
    'UPDATE simulated_webhooks SET attempts = attempts + 1, delivered_at = now() WHERE id = $1',
    [id],
  );
}

/** Records a failed attempt; `due` (ms since the epoch) is when to try again, null: given up. */
export async function markFailed(db: Db, id: string, due: number | null): Promise<void> {
  await db.query(
    `UPDATE simulated_webhooks
        SET attempts = attempts + 1,
            next_attempt_at = CASE WHEN $2::float8 IS NULL THEN next_attempt_at ELSE to_timestamp($2::float8 / 1000) END,
            abandoned_at = CASE WHEN $2::float8 IS NULL THEN now() ELSE NULL END
      WHERE id = $1`,
    [id, due],
  );
}
