// A fan's place in an event's waiting room (POST/GET /api/events/:id/queue). Between calls,
// the socket's queue broadcasts (OnsaleSocket.onQueue, with position/etaSeconds from queue.ts)
// keep the position current; GET is the heartbeat and hands out the access token once admitted.
import type { JoinResult, QueueStatus } from '../../src/waiting-room/rooms.ts';
import type { OnsaleHttp } from './http.ts';

export type { TicketState as QueueState } from '../../src/waiting-room/queue.ts';
// The shapes are the server's own (type-only: nothing of the server reaches a bundle).
export type { JoinResult, QueueStatus, QueueView } from '../../src/waiting-room/rooms.ts';

const path = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}/queue`;

/** Takes a place (or returns the account's existing one); 409 WAITING_ROOM_OFF: go to the seats. */
export function joinQueue(http: OnsaleHttp, eventId: string): Promise<JoinResult> {
  return http.request('POST', path(eventId));
}

/** Where the place stands now; also the heartbeat (a fan silent for 60 s is skipped at their turn). */
export function queueStatus(http: OnsaleHttp, eventId: string, queueToken: string): Promise<QueueStatus> {
  return http.request('GET', path(eventId), undefined, { 'x-queue-token': queueToken });
}
