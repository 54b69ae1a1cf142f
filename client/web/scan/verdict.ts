import type { ScanResult } from '../../sdk/scanning.ts';

// What the gate shows for a scan, at a glance: valid (green), already used (amber, with when
// and where) or invalid (red, with why in words). Pure.

export type Tone = 'valid' | 'used' | 'invalid';

export interface Verdict {
  tone: Tone;
  headline: string;
  lines: string[];
}

const REASONS: Record<string, string> = {
  SCAN_MALFORMED: 'This is not an onsale ticket code.',
  SCAN_UNKNOWN_KEY: 'The code was not signed by this event.',
  SCAN_BAD_SIGNATURE: 'Forged code: the signature does not match.',
  SCAN_WRONG_EVENT: 'This ticket is for another event.',
  SCAN_REVOKED: 'This ticket was reissued or transferred: this code no longer admits.',
  SCAN_SUPERSEDED: 'An older version of this ticket: ask for the current one.',
  SCAN_CODE_EXPIRED: 'The code has expired (a screenshot?): ask to open the ticket again.',
  SCAN_CODE_WRONG: 'The rotating code is wrong.',
  SCAN_TICKET_REFUNDED: 'This ticket was refunded.',
  SCAN_TICKET_CANCELLED: 'This ticket was cancelled.',
  SCAN_TICKET_UNKNOWN: 'No such ticket for this event.',
  SCAN_REENTRY_OFF: 'Re-entry is off for this event.',
  SCAN_NOT_INSIDE: 'This ticket is not inside: it cannot be scanned out.',
  UNAUTHENTICATED: 'Signed out: sign in again as a scanner.',
  FORBIDDEN: 'This account may not scan tickets.',
  RATE_LIMITED: 'Too many scans at once: wait a moment.',
};

export function verdictOf(r: ScanResult, formatTime: (iso: string) => string): Verdict {
  if (r.ok) {
    const s = r.scan;
    const lines = [`Seat ${s.seat}`, `Gate ${s.gate}`];
    if (s.entries > 1) lines.push(`Entry ${s.entries}`);
    return { tone: 'valid', headline: s.direction === 'out' ? 'Scanned out' : 'Valid: admit', lines };
  }
  if (r.code === 'ALREADY_USED') {
    const lines: string[] = [];
    if (r.firstUsedAt) lines.push(`First used ${formatTime(r.firstUsedAt)}`);
    if (r.firstGate) lines.push(`at gate ${r.firstGate}`);
    return { tone: 'used', headline: 'Already used', lines };
  }
  return {
    tone: 'invalid',
    headline: 'Invalid: do not admit',
    lines: [REASONS[r.code] ?? r.message ?? r.code],
  };
}
