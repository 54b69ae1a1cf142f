import type { Sockets } from '../gateway/sockets.ts';
import type { QueueTick } from './rooms.ts';

// The waiting room on the socket: fans listen to their event's "now serving" figure, one
// message for every waiting fan (docs/protocol.md).

export const queueTopic = (eventId: string) => `queue/${eventId}`;

/** Whether any socket of this process listens to the event's waiting room. */
export function queueWatched(sockets: Sockets, eventId: string): boolean {
  return sockets.subscribers(queueTopic(eventId)) > 0;
}

/** `follow`: in cluster mode, hear the event's figures from its owner (src/cluster/fanout.ts). */
export function queueSocketHandlers(sockets: Sockets, follow?: (eventId: string) => Promise<unknown>): void {
  sockets.on('qsub', async (conn, msg) => {
    await follow?.(msg.e);
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
