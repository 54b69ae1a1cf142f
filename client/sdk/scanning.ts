// The gate: scan a ticket's QR content in (or out) and get the verdict, refusals included
// with what the server says about them (when and where an already used ticket was used).
import type { ScanAccepted as Accepted, ScanRequest } from '../../src/scanning/scanning.ts';
import type { OnsaleHttp } from './http.ts';

export interface ScanAccepted {
  ok: true;
  /** The server's own shape (a type-only import). */
  scan: Accepted;
}

export interface ScanRefused {
  ok: false;
  status: number;
  code: string;
  message: string;
  ticketId?: string;
  /** ALREADY_USED only. */
  firstUsedAt?: string | null;
  firstGate?: string | null;
}

export type ScanResult = ScanAccepted | ScanRefused;

/** A refusal is a result, not an exception: the gate shows it. Network failures still throw. */
export async function scan(
  http: OnsaleHttp,
  req: ScanRequest,
  direction: 'in' | 'out' = 'in',
): Promise<ScanResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (http.token) headers.authorization = `Bearer ${http.token}`;
  const res = await fetch(`${http.baseUrl}/api/scan${direction === 'out' ? '/out' : ''}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(req),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {}
  if (res.ok) return { ok: true, scan: body.scan as ScanAccepted['scan'] };
  const e = (body.error ?? {}) as Partial<ScanRefused>;
  return {
    ok: false,
    status: res.status,
    code: e.code ?? 'HTTP_ERROR',
    message: e.message ?? res.statusText,
    ticketId: e.ticketId,
    firstUsedAt: e.firstUsedAt,
    firstGate: e.firstGate,
  };
}
