import type { Sockets } from '../gateway/sockets.ts';
import { isOperator } from '../user.ts';
import { type DashboardPort, opsTopic } from './feed.ts';

// The dashboard on the socket (docs/protocol.md): `osub` joins the event's ops/<id> topic
// (operators and admins only) and answers with the figures at once; then a `stats` message
// comes about once a second. `ounsub` leaves.

export function dashboardSocketHandlers(sockets: Sockets, feed: DashboardPort): void {
  sockets.on('osub', async (conn, msg) => {
    if (!conn.user) return sockets.error(conn, 'UNAUTHENTICATED', 'sign in as an operator first');
    if (!isOperator(conn.user)) return sockets.error(conn, 'FORBIDDEN', 'the dashboard is for operators');
    const stats = await feed.stats(msg.e);
    if (!stats) return sockets.error(conn, 'EVENT_NOT_FOUND', 'no such event');
    feed.watch(msg.e);
    sockets.join(conn, opsTopic(msg.e));
    sockets.send(conn, { t: 'stats', ...stats });
  });
  sockets.on('ounsub', (conn, msg) => {
    sockets.leave(conn, opsTopic(msg.e));
  });
}
