import { z } from 'zod';
import type { Router } from '../gateway/router.ts';
import { OPERATORS } from '../user.ts';
import { WaitingRoomError } from './errors.ts';
import { MAX_RATE, type RoomsPort } from './rooms.ts';

// The waiting room over HTTP. Fans join (POST) and then poll their status (GET), which is
// also their heartbeat; between polls the "now serving" broadcast on the queue/<eventId>
// topic keeps their position and ETA current. Operators switch a room on, set its rate
// (PUT); the event's sale opening (its status: presale or on sale) runs the pre-queue lottery.
// Every route answers 404 EVENT_NOT_FOUND for an event that does not exist (WaitingRooms
// asks the catalog), and rooms exist only for events out of draft.

const configureBody = z.object({ enabled: z.boolean(), rate: z.number().min(0).max(MAX_RATE) }).strict();
const NO_STORE = { 'cache-control': 'no-store' };

/** Longer ids name no event: answered without asking the catalog. */
function eventId(id: string): string {
  if (id.length === 0 || id.length > 128) throw new WaitingRoomError('EVENT_NOT_FOUND', 'no such event');
  return id;
}

export function waitingRoomRoutes(router: Router, rooms: RoomsPort): void {
  router.post('/api/events/:id/queue', { auth: 'user', write: true }, async (ctx) => {
    const out = await rooms.join(eventId(ctx.params.id), ctx.user!.id);
    return { status: out.fresh ? 201 : 200, headers: NO_STORE, body: out };
  });

  router.get('/api/events/:id/queue', { auth: 'user' }, async (ctx) => {
    const token = ctx.headers['x-queue-token'] ?? ctx.query.get('token');
    if (!token) {
      throw new WaitingRoomError(
        'QUEUE_TOKEN_REQUIRED',
        'send the queue token from joining in x-queue-token or ?token=',
      );
    }
    return { headers: NO_STORE, body: await rooms.status(eventId(ctx.params.id), token, ctx.user!.id) };
  });

  router.put('/api/events/:id/queue', { auth: OPERATORS, write: true, body: configureBody }, async (ctx) => ({
    body: await rooms.configure(eventId(ctx.params.id), ctx.body),
  }));
}
