import { z } from 'zod';
import { holdRequestSchema, publicId } from '../../client/sdk/protocol.ts';
import type { JournalPort } from '../actors/ports.ts';
import { AppError } from '../errors.ts';
import { negotiate } from '../gateway/compression.ts';
import { ifNoneMatch, type RequestContext, type Router } from '../gateway/router.ts';
import { OPERATORS, type User } from '../user.ts';
import { readHistory } from './history.ts';
import type { LiveEvents } from './live-events.ts';
import { type SeatCommands, seatNumbers } from './seat-commands.ts';

// The seat map over HTTP: the chart, the seat-status snapshot, a fan's holds (take, list,
// extend, release), and for operators blocking seats and the history of a seat, a fan or an
// order. The event record itself (GET /api/events/:id) is the catalog's.

/** The Idempotency-Key header, held to the socket protocol's limit for `key` (128 characters). */
function idempotencyKey(ctx: RequestContext<unknown>): string | undefined {
  const key = ctx.headers['idempotency-key'];
  if (key !== undefined && key.length > 128)
    throw new AppError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key is limited to 128 characters');
  return key;
}

export interface SeatingRouteDeps {
  events: LiveEvents;
  seats: SeatCommands;
  journal: JournalPort;
  /** Finds an account by email, so operators may ask for a fan's history by address. */
  userByEmail(email: string): Promise<User | null>;
}

export function seatingRoutes(router: Router, deps: SeatingRouteDeps): void {
  const { events, seats } = deps;

  // The chart's bytes as serialised once per chart version, compressed once per encoding.
  // Each encoding is its own representation, so its own strong ETag ("…-br", "…-gzip").
  router.get('/api/events/:id/chart', {}, async (ctx) => {
    const live = await events.need(ctx.params.id);
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

  // Every seat's status as base64 bytes (one per seat number), as durable, with its version.
  router.get('/api/events/:id/seats', {}, async (ctx) => {
    const live = await events.need(ctx.params.id);
    const d = await live.handle.query('seatStatuses', {});
    return {
      headers: { 'cache-control': 'no-store' },
      body: {
        eventId: live.id,
        version: d.version,
        status: Buffer.from(d.status).toString('base64'),
        areas: d.areas,
      },
    };
  });

  router.post('/api/holds', { auth: 'user', write: true, body: holdRequestSchema }, async (ctx) => ({
    status: 201,
    body: await seats.hold(ctx.user!, ctx.body, {
      key: idempotencyKey(ctx),
      accessToken: ctx.headers['x-access-token'],
    }),
  }));

  router.get('/api/holds', { auth: 'user' }, async (ctx) => ({
    headers: { 'cache-control': 'no-store' },
    body: { holds: await seats.holdsOf(ctx.user!) },
  }));

  router.delete('/api/holds/:id', { auth: 'user', write: true }, async (ctx) => ({
    body: await seats.release(ctx.user!, ctx.params.id, idempotencyKey(ctx)),
  }));

  router.post(
    '/api/holds/:id/extend',
    { auth: 'user', write: true, body: z.object({ seconds: z.number().int().min(1).max(3600) }).strict() },
    async (ctx) => ({
      body: await seats.extend(ctx.user!, ctx.params.id, ctx.body.seconds, idempotencyKey(ctx)),
    }),
  );

  router.post(
    '/api/events/:id/seats/block',
    {
      auth: OPERATORS,
      write: true,
      body: z.object({ seats: z.array(publicId).min(1).max(1000), blocked: z.boolean() }).strict(),
    },
    async (ctx) => ({
      body: await seats.operate(ctx.user!, ctx.params.id, (live) => ({
        type: ctx.body.blocked ? 'block' : 'unblock',
        seats: seatNumbers(live, ctx.body.seats),
      })),
    }),
  );

  // What happened to a seat, a fan (account id or email) or an order, from the journal.
  router.get('/api/events/:id/history', { auth: OPERATORS }, async (ctx) => {
    const live = await events.need(ctx.params.id);
    const q = ctx.query;
    const filter: { seat?: number; fanId?: string; orderId?: string } = {};
    const seat = q.get('seat');
    if (seat) filter.seat = seatNumbers(live, [seat])[0];
    const fan = q.get('fan');
    if (fan) {
      const byEmail = fan.includes('@') ? await deps.userByEmail(fan) : null;
      filter.fanId = byEmail?.id ?? fan;
    }
    const order = q.get('order');
    if (order) filter.orderId = order;
    const after = whole(q.get('after'), 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = whole(q.get('limit'), 'limit', 1, 1000) ?? 100;
    const page = await readHistory(deps.journal, live.id, live.layout, filter, { after, limit });
    return { headers: { 'cache-control': 'no-store' }, body: { eventId: live.id, ...page } };
  });
}

/** A whole-number query parameter within bounds, or undefined when absent. */
function whole(raw: string | null, name: string, min: number, max: number): number | undefined {
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || n < min || n > max)
    throw new AppError('INVALID_QUERY', `${name}: a whole number from ${min} to ${max}`);
  return n;
}
