import { AppError } from '../errors.ts';

// Scanning's refusals, one code per check (the gateway's table gives each its status). A
// refused scan is a normal answer for a gate: the code says what the steward tells the fan.

export class ScanError extends AppError {}

export const SCAN_CODES = {
  malformed: 'SCAN_MALFORMED',
  unknown_key: 'SCAN_UNKNOWN_KEY',
  bad_signature: 'SCAN_BAD_SIGNATURE',
  wrong_event: 'SCAN_WRONG_EVENT',
  superseded: 'SCAN_SUPERSEDED',
  revoked: 'SCAN_REVOKED',
  code_expired: 'SCAN_CODE_EXPIRED',
  code_wrong: 'SCAN_CODE_WRONG',
  unknown_ticket: 'SCAN_TICKET_UNKNOWN',
  refunded: 'SCAN_TICKET_REFUNDED',
  cancelled: 'SCAN_TICKET_CANCELLED',
  already_used: 'ALREADY_USED',
  reentry_off: 'SCAN_REENTRY_OFF',
  not_inside: 'SCAN_NOT_INSIDE',
} as const;

export type ScanRefusal = keyof typeof SCAN_CODES;

const MESSAGES: Record<ScanRefusal, string> = {
  malformed: 'this is not an onsale ticket code',
  unknown_key: 'the ticket was signed with a key this event does not have',
  bad_signature: 'the ticket code is forged or damaged (bad signature)',
  wrong_event: 'this ticket is for another event',
  superseded: 'this ticket code was replaced by a newer one (reissued)',
  revoked: 'this ticket code was revoked',
  code_expired: 'the rotating code is too old or too new (a screenshot?): show the live ticket',
  code_wrong: 'the rotating code does not match the ticket',
  unknown_ticket: 'no such ticket for this event',
  refunded: 'this ticket was refunded',
  cancelled: 'this ticket was cancelled',
  already_used: 'this ticket was already used',
  reentry_off: 'this event has no re-entry: scanning out is off',
  not_inside: 'this ticket is not inside (never scanned in, or already scanned out)',
};

export function scanRefused(r: ScanRefusal, details?: Record<string, unknown>): ScanError {
  return new ScanError(SCAN_CODES[r], MESSAGES[r], details ? { details } : {});
}
