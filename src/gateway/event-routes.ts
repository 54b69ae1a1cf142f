import { z } from 'zod';
import { STATUS_NAMES } from '../domain/seat-status.ts';
import { areaAvailable } from '../domain/state.ts';
import { negotiate } from './compression.ts';
import type { LiveEvent, LiveEvents } from './live-events.ts';
import { HttpError, ifNoneMatch, type Reply, type RequestContext, type Router } from './router.ts';
import { holdRequestSchema, type Result, type SeatCommands, seatNumbers } from './seat-commands.ts';

// Viewing and booking over HTTP: event summaries with live availability, the static chart,
// the seat-status snapshot, holds, and the operator's sale and seat controls.

const OPERATORS: ('operator' | 'admin')[] = ['operator', 'admin'];

function toReply(r: Result, okStatus = 200): Reply {
  if (r.ok) return { status: okStatus, body: r.value };
  return { status: r.status, body: { error: { code: r.code, message: r.message } } };
}

function liveOr404(events: LiveEvents, id: string): LiveEvent {
  const live = events.get(id);
  if (!live) throw new HttpError(404, 'EVENT_NOT_FOUND', `no event "${id.slice(0, 64)}"`);
  return live;
}

/** The Idempotency-Key header, held to the socket protocol's limit for `key` (128 characters). */
function idempotencyKey(ctx: RequestContext<unknown>): string | undefined {
  const key = ctx.headers['idempotency-key'];
  if (key !== undefined && key.length > 128)
    throw new HttpError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key is limited to 128 characters');
  return key;
}

/** Availability straight from the actor (never cached). */
export function eventSummary(live: LiveEvent) {
  return live.handle.read((s) => ({
    id: live.id,
    name: live.name,
    sale: s.sale,
    version: s.version,
    seats: Object.fromEntries(STATUS_NAMES.map((name, i) => [name, s.statusCounts[i]])),
    areas: s.layout.areas.map((a, i) => ({
      id: a.id,
      name: a.name,
      capacity: a.capacity,
      available: areaAvailable(s, i),
    })),
  }));
}

/** Every seat's status as base64 bytes (one per seat number), as durable, with its version. */
export async function seatSnapshot(live: LiveEvent) {
  const d = await live.handle.durableSeats();
  return {
    eventId: live.id,
    version: d.version,
    status: Buffer.from(d.status).toString('base64'),
    areas: d.areas,
  };
}

export interface EventHooks {
  /** The sale of an event opened: its waiting room shuffles the pre-queue (idempotent). */
  saleOpened(eventId: string): Promise<unknown>;
  /** Serves GET /api/events/:id: the catalog's record merged with the live summary (src/catalog). */
  eventDetails?(ctx: RequestContext<unknown>): Promise<Reply>;
}

export function eventRoutes(
  router: Router,
  events: LiveEvents,
  seats: SeatCommands,
  hooks: EventHooks,
): void {
  router.get('/api/events/:id', {}, async (ctx) =>
    hooks.eventDetails
      ? hooks.eventDetails(ctx)
      : { body: await eventSummary(liveOr404(events, ctx.params.id)) },
  );

  // The chart's bytes as serialised when the event opened, compressed once per encoding.
  // Each encoding is its own representation, so its own strong ETag ("…-br", "…-gzip").
  router.get('/api/events/:id/chart', {}, async (ctx) => {
    const live = liveOr404(events, ctx.params.id);
    const encoding = negotiate(ctx.headers['accept-encoding']);
    const etag = encoding ? `${live.chartEtag.slice(0, -1)}-${encoding}"` : live.chartEtag;
    const headers: Record<string, string> = {
      etag,
      'cache-control': 'public, max-age=300',
      vary: 'accept-encoding',
    };
    if (ifNoneMatch(ctx.headers['if-none-match'], etag)) return { status: 304, headers };
    if (encoding) headers['content-encoding'] = encoding;
    return { headers, raw: await live.chartBody.get(encoding) };
  });

  router.get('/api/events/:id/seats', {}, async (ctx) => ({
    headers: { 'cache-control': 'no-store' },
    body: await seatSnapshot(liveOr404(events, ctx.params.id)),
  }));

  router.post('/api/holds', { auth: 'user', write: true, body: holdRequestSchema }, async (ctx) =>
    toReply(
      await seats.hold(ctx.user!, ctx.body, {
        key: idempotencyKey(ctx),
        accessToken: ctx.headers['x-access-token'],
      }),
      201,
    ),
  );

  router.delete('/api/holds/:id', { auth: 'user', write: true }, async (ctx) =>
    toReply(await seats.release(ctx.user!, ctx.params.id, idempotencyKey(ctx))),
  );

  router.post(
    '/api/holds/:id/extend',
    { auth: 'user', write: true, body: z.object({ seconds: z.number().int().min(1).max(3600) }).strict() },
    async (ctx) =>
      toReply(await seats.extend(ctx.user!, ctx.params.id, ctx.body.seconds, idempotencyKey(ctx))),
  );

  router.put(
    '/api/events/:id/sale',
    {
      auth: OPERATORS,
      write: true,
      body: z.object({ status: z.enum(['open', 'paused', 'closed']) }).strict(),
    },
    async (ctx) => {
      const r = await seats.operate(ctx.user!, ctx.params.id, () => ({
        type: 'setSale',
        status: ctx.body.status,
      }));
      if (!r.ok || ctx.body.status !== 'open') return toReply(r);
      return toReply({ ok: true, value: { ...r.value, waitingRoom: await hooks.saleOpened(ctx.params.id) } });
    },
  );

  router.post(
    '/api/events/:id/seats/block',
    {
      auth: OPERATORS,
      write: true,
      body: z
        .object({ seats: z.array(z.string().min(1).max(128)).min(1).max(1000), blocked: z.boolean() })
        .strict(),
    },
    async (ctx) =>
      toReply(
        await seats.operate(ctx.user!, ctx.params.id, (live) => {
          const numbers = seatNumbers(live, ctx.body.seats);
          if (!Array.isArray(numbers)) return numbers;
          return { type: ctx.body.blocked ? 'block' : 'unblock', seats: numbers };
        }),
      ),
  );
}
