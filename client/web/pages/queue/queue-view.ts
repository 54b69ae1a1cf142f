// What the waiting-room page shows, worked out from the place the server gave (HTTP) and the
// latest shared broadcast ("now serving N" at a rate, socket): pure, so it is tested alone.
import { etaSeconds, position, type QueueTick } from '../../../sdk/queue.ts';
import type { QueueView } from '../../../sdk/waiting-room.ts';

export type Phase =
  | 'prequeue'
  | 'waiting'
  /** Our number has come up on the broadcast: the access token is being fetched. */
  | 'turn'
  | 'admitted'
  | 'expired'
  | 'skipped';

export interface QueueScreen {
  phase: Phase;
  /** Place in line: 1 is next to be admitted (the server's position, ticket − serving). */
  place: number;
  /** Seconds to admission at the current rate; null when admission is stopped or unknown. */
  eta: number | null;
  rate: number;
  /** 0..1 of the way from where the fan joined to the front. */
  progress: number;
}

/**
 * @param place the last answer of POST/GET /api/events/:id/queue
 * @param tick the last socket broadcast, if newer than the place
 * @param startAhead the place in line when this page first saw it
 */
export function queueScreen(place: QueueView, tick: QueueTick | null, startAhead: number): QueueScreen {
  const now = tick && tick.serving >= place.serving ? tick : { serving: place.serving, rate: place.rate };
  if (place.state === 'admitted' || place.admitted)
    return { phase: 'admitted', place: 0, eta: 0, rate: now.rate, progress: 1 };
  if (place.state === 'expired' || place.state === 'skipped')
    return { phase: place.state, place: 0, eta: null, rate: now.rate, progress: 0 };
  const ahead = position(place.ticket, now);
  const progress =
    startAhead > 0 ? Math.min(1, Math.max(0, (startAhead - ahead) / startAhead)) : ahead === 0 ? 1 : 0;
  if (place.state === 'prequeue')
    return { phase: 'prequeue', place: ahead, eta: null, rate: now.rate, progress: 0 };
  if (ahead === 0) return { phase: 'turn', place: 0, eta: 0, rate: now.rate, progress: 1 };
  const eta = etaSeconds(place.ticket, now);
  return { phase: 'waiting', place: ahead, eta: Number.isFinite(eta) ? eta : null, rate: now.rate, progress };
}

/** Event statuses in which a waiting fan can no longer buy here, and what to tell them. */
export function saleOverMessage(status: string | undefined): string | null {
  switch (status) {
    case 'sold_out':
      return 'This event has sold out: every ticket is taken. We are sorry you waited for nothing. Tickets may still come up for resale.';
    case 'completed':
      return 'The sale for this event has ended.';
    case 'cancelled':
      return 'This event has been cancelled, so its waiting room is closed.';
    default:
      return null;
  }
}
