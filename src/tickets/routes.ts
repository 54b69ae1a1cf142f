import { z } from 'zod';
import { AppError, quoted } from '../errors.ts';
import type { Router } from '../gateway/router.ts';
import type { Db } from '../persistence/db.ts';
import { isOperator, OPERATORS, type Role } from '../user.ts';
import { STEP_SECONDS } from './credential.ts';
import { revocationsOf } from './credentials.ts';
import { eventKeys, rotateKey } from './keys.ts';
import type { QrFormat, Tickets } from './tickets.ts';

// Tickets over HTTP: a fan's tickets and their QR codes, transfers; operators reissue
// credentials and rotate an event's key; the gates (scanners) read the revocation list.

export interface TicketRouteDeps {
  tickets: Tickets;
  db: Db;
}

/** Who reads an event's revocations: the gates, and the box office. */
const GATES: Role[] = ['scanner', 'operator', 'admin'];

const NO_STORE = { 'cache-control': 'no-store' };

/** Events are the catalog's; their existence is all these routes ask (no actor is started). */
async function needEvent(db: Db, eventId: string): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM events WHERE id = $1', [eventId]);
  if (rows.length === 0) throw new AppError('EVENT_NOT_FOUND', `no event ${quoted(eventId)}`);
}

export function ticketRoutes(router: Router, deps: TicketRouteDeps): void {
  const { tickets, db } = deps;

  router.get('/api/tickets', { auth: 'user' }, async (ctx) => ({
    headers: NO_STORE,
    body: { tickets: await tickets.mine(ctx.user!) },
  }));

  router.get('/api/tickets/:id', { auth: 'user' }, async (ctx) => ({
    headers: NO_STORE,
    body: { ticket: await tickets.get(ctx.params.id, ctx.user!, isOperator(ctx.user)) },
  }));

  router.get('/api/tickets/:id/qr', { auth: 'user' }, async (ctx) => {
    const format = ctx.query.get('format') ?? 'png';
    if (format !== 'png' && format !== 'svg') throw new AppError('INVALID_QUERY', 'format: png or svg');
    const img = await tickets.qr(ctx.params.id, ctx.user!, format as QrFormat);
    // The code in the image rotates every STEP_SECONDS: no cache may keep it.
    return {
      headers: {
        ...NO_STORE,
        'content-type': img.contentType,
        'x-code-step': String(img.step),
        'x-code-step-seconds': String(STEP_SECONDS),
      },
      raw: img.body,
    };
  });

  router.post(
    '/api/tickets/:id/transfer',
    { auth: 'user', write: true, body: z.object({ email: z.string().min(3).max(254) }).strict() },
    async (ctx) => ({ body: { transfer: await tickets.transfer(ctx.params.id, ctx.user!, ctx.body.email) } }),
  );

  router.post(
    '/api/tickets/:id/reissue',
    { auth: OPERATORS, write: true, body: z.object({ reason: z.string().trim().min(1).max(200) }).strict() },
    async (ctx) => ({ body: { ticket: await tickets.reissue(ctx.params.id, ctx.body.reason, ctx.user!) } }),
  );

  router.post('/api/events/:id/keys/rotate', { auth: OPERATORS, write: true }, async (ctx) => {
    await needEvent(db, ctx.params.id);
    const keyId = await rotateKey(db, ctx.params.id);
    return { body: { eventId: ctx.params.id, keyId, keys: await eventKeys(db, ctx.params.id) } };
  });

  router.get('/api/events/:id/revocations', { auth: GATES }, async (ctx) => {
    await needEvent(db, ctx.params.id);
    return {
      headers: NO_STORE,
      body: { eventId: ctx.params.id, revocations: await revocationsOf(db, ctx.params.id) },
    };
  });
}
