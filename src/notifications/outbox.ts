import { z } from 'zod';
import type { Db } from '../persistence/db.ts';
import { INVALID_MAIL, MailError } from './errors.ts';

// The outbox: a mail is a row written in the caller's transaction, so it commits or rolls
// back with the change it tells of. The sender (sender.ts) delivers committed rows later.

export interface OutgoingMail {
  /** What the mail is about: 'order_confirmed', 'order_refunded', 'event_cancelled', … */
  kind: string;
  /** One mail per (kind, dedupeKey): an order id, "orderId:refundId", … */
  dedupeKey: string;
  /** The recipient's bare address. */
  to: string;
  subject: string;
  /** The plain-text body. */
  text: string;
}

// Control characters are refused in the one-line fields (a CR or LF in a subject would be a
// header of its own); the body may hold line breaks and tabs.
const oneLine = /^[^\p{Cc}]*$/u;
const bodyText = /^(?:[^\p{Cc}]|[\t\n\r])*$/u;

const mailSchema = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a lower-case word of up to 64 characters'),
  dedupeKey: z.string().min(1).max(200).regex(oneLine, 'no control characters'),
  to: z.string().trim().max(254).pipe(z.email('not a valid email address')),
  subject: z.string().trim().min(1).max(200).regex(oneLine, 'no control characters'),
  text: z.string().min(1).max(100_000).regex(bodyText, 'no control characters but line breaks and tabs'),
});

/** The mail as it will be stored; throws MailError (INVALID_MAIL) naming the bad field. */
export function validMail(mail: OutgoingMail): OutgoingMail {
  const r = mailSchema.safeParse(mail);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MailError(INVALID_MAIL, `invalid mail: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return r.data;
}

/**
 * Queues a mail in `tx`, the caller's transaction (db.transaction(tx => …)): it is sent only
 * if that transaction commits. True when queued, false when this (kind, dedupeKey) was queued
 * before (nothing is written then). Wake the sender after the commit to send it at once.
 */
export async function enqueueMail(tx: Db, mail: OutgoingMail): Promise<boolean> {
  const m = validMail(mail);
  const r = await tx.query(
    `INSERT INTO outbox (kind, dedupe_key, recipient, subject, text_body) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (kind, dedupe_key) DO NOTHING`,
    [m.kind, m.dedupeKey, m.to, m.subject, m.text],
  );
  return r.rowCount === 1;
}

/** Mails not sent yet and not given up on (due now or waiting for a retry). */
export async function pendingMails(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL',
  );
  return rows[0].n;
}
