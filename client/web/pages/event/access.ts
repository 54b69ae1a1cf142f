// Whether this fan may hold seats of the event now: always while its waiting room is off;
// with the room on, only once admitted, with the access token the room hands out (sent
// with every hold). Joining is idempotent per account (POST returns the existing place), so
// asking costs a fan who was going to queue anyway nothing.
import { ApiError, type OnsaleHttp } from '../../../sdk/index.ts';
import { joinQueue, queueStatus } from '../../../sdk/waiting-room.ts';

export type Access =
  | { state: 'open' }
  | { state: 'admitted'; token: string; expiresAt: number }
  | { state: 'queue' }
  /** The room could not be asked (network, server): holds will tell (ACCESS_REQUIRED). */
  | { state: 'unknown' };

const KEY = (eventId: string) => `onsale.access.${eventId}`;

/** An access token kept from before (this tab), while it is still good for a minute. */
export function storedAccess(eventId: string, now = Date.now()): { token: string; expiresAt: number } | null {
  try {
    const raw = sessionStorage.getItem(KEY(eventId));
    const a = raw ? (JSON.parse(raw) as { token: string; expiresAt: number }) : null;
    return a && a.expiresAt - now > 60_000 ? a : null;
  } catch {
    return null;
  }
}

/** Keeps an access token for the event (the queue page may call this when the fan is admitted). */
export function rememberAccess(eventId: string, token: string, expiresAt: number): void {
  try {
    sessionStorage.setItem(KEY(eventId), JSON.stringify({ token, expiresAt }));
  } catch {}
}

export function forgetAccess(eventId: string): void {
  try {
    sessionStorage.removeItem(KEY(eventId));
  } catch {}
}

export async function accessTokenFor(http: OnsaleHttp, eventId: string): Promise<Access> {
  const kept = storedAccess(eventId);
  if (kept) return { state: 'admitted', ...kept };
  try {
    const place = await joinQueue(http, eventId);
    if (!place.admitted) return { state: 'queue' };
    const status = await queueStatus(http, eventId, place.queueToken);
    if (!status.accessToken || !status.accessExpiresAt) return { state: 'queue' };
    rememberAccess(eventId, status.accessToken, status.accessExpiresAt);
    return { state: 'admitted', token: status.accessToken, expiresAt: status.accessExpiresAt };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'WAITING_ROOM_OFF') return { state: 'open' };
    return { state: 'unknown' };
  }
}
