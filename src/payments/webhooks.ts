import type { Db } from '../persistence/db.ts';
import type { PaymentEvent } from './provider.ts';

// Webhook dedupe. Providers deliver at least once (and retry whatever was not answered 2xx),
// so the receiver records each event id in the same transaction as the change it makes:
// either both commit or neither, and a redelivery finds the id and changes nothing.

/**
 * Records a verified event as applied; true when it is new (apply it), false when it was
 * already recorded (a redelivery: do nothing). Call it inside the transaction that applies
 * the event, on that transaction's `tx`.
 */
export async function recordWebhook(tx: Db, e: PaymentEvent): Promise<boolean> {
  const { rowCount } = await tx.query(
    'INSERT INTO payment_webhooks (provider, id, type) VALUES ($1, $2, $3) ON CONFLICT (provider, id) DO NOTHING',
    [e.provider, e.id, e.type],
  );
  return rowCount === 1;
}
