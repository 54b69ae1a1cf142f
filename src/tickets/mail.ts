import { enqueueMail } from '../notifications/outbox.ts';
import type { RenderedMail } from '../notifications/templates.ts';
import type { Db } from '../persistence/db.ts';

// The transfer's two mails, queued in the transaction that moves the ticket (the outbox), so
// a transfer that rolls back tells nobody. The words are pure functions of plain data, in
// the style of src/notifications/templates.ts.

export interface TransferMail {
  ticketId: string;
  eventName: string;
  /** The seat's label, or the standing area's. */
  seat: string;
  from: string;
  to: string;
}

const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();
const join = (lines: string[]): string => `${lines.join('\n')}\n`;

export function ticketSent(d: TransferMail): RenderedMail {
  return {
    subject: clean(`You sent your ticket for ${d.eventName} to ${d.to}`),
    text: join([
      'Hello,',
      '',
      `Your ticket for ${clean(d.eventName)} now belongs to ${clean(d.to)}:`,
      '',
      `  ${clean(d.seat)}`,
      '',
      'Its code in your account no longer admits anyone. If you did not send it,',
      'reply to this mail at once.',
      '',
      `Ticket reference: ${d.ticketId}`,
      '',
      '— onsale',
    ]),
  };
}

export function ticketReceived(d: TransferMail): RenderedMail {
  return {
    subject: clean(`${d.from} sent you a ticket for ${d.eventName}`),
    text: join([
      'Hello,',
      '',
      `${clean(d.from)} sent you a ticket for ${clean(d.eventName)}:`,
      '',
      `  ${clean(d.seat)}`,
      '',
      'It is in your account now; show its code at the entrance.',
      '',
      `Ticket reference: ${d.ticketId}`,
      '',
      '— onsale',
    ]),
  };
}

/** Both mails of a transfer to credential version `version` (one per side and version). */
export async function queueTransferMails(tx: Db, d: TransferMail, version: number): Promise<void> {
  const key = `${d.ticketId}:${version}`;
  await enqueueMail(tx, { kind: 'ticket_sent', dedupeKey: key, to: d.from, ...ticketSent(d) });
  await enqueueMail(tx, { kind: 'ticket_received', dedupeKey: key, to: d.to, ...ticketReceived(d) });
}
