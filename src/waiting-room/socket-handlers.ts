import type { Sockets } from '../gateway/sockets.ts';
import type { QueueTick } from './rooms.ts';

// The waiting room on the socket: fans listen to their event's "now serving" figure, one
// message for every waiting fan (docs/protocol.md).

export const queueTopic = (eventId: string) => `queue/${eventId}`;

export function queueSocketHandlers(sockets: Sockets): void {
  sockets.on('qsub', (conn, msg) => {
    sockets.join(conn, queueTopic(msg.e));
  });
  sockets.on('qunsub', (conn, msg) => {
    sockets.leave(conn, queueTopic(msg.e));
  });
}

/** Broadcasts a room's figure to its topic. */
export function publishTick(sockets: Sockets, eventId: string, tick: QueueTick): void {
  sockets.publish(queueTopic(eventId), { t: 'queue', e: eventId, ...tick });
}
