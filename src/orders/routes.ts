import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { RequestContext, Router } from '../gateway/router.ts';
import type { Db } from '../persistence/db.ts';
import { isOperator, OPERATORS } from '../user.ts';
import { boxOfficeSchema } from './box-office.ts';
import { checkoutSchema } from './checkout.ts';
import { codeSchema, createCode, deleteCode, listCodes } from './codes.ts';
import type { Orders } from './orders.ts';
import { policySchema, readPolicy, writePolicy } from './policy.ts';
import type { EventAccess } from './ports.ts';
import { refundSchema } from './refunds.ts';
import { salesReport, searchOrders } from './sales.ts';

// Orders over HTTP: the event's pricing and codes (operators), checkout and a fan's orders,
// refunds, the box office, the event's cancellation and its sales.

export interface OrderRouteDeps {
  orders: Orders;
  db: Db;
  events: EventAccess;
}

/** The Idempotency-Key header (at most 128 characters), or undefined. */
function idempotencyKey(ctx: RequestContext<unknown>): string | undefined {
  const key = ctx.headers['idempotency-key'];
  if (key !== undefined && (key.length === 0 || key.length > 128))
    throw new AppError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key is 1 to 128 characters');
  return key;
}

function limitOf(raw: string | null): number {
  if (raw === null || raw === '') return 50;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 200)
    throw new AppError('INVALID_QUERY', 'limit: a whole number from 1 to 200');
  return Number(raw);
}

export function orderRoutes(router: Router, deps: OrderRouteDeps): void {
  const { orders, db, events } = deps;

  router.get('/api/events/:id/pricing', {}, async (ctx) => {
    const ev = await events.need(ctx.params.id);
    return { body: { eventId: ev.id, pricing: await readPolicy(db, ev.id) } };
  });

  router.put('/api/events/:id/pricing', { auth: OPERATORS, write: true, body: policySchema }, async (ctx) => {
    const ev = await events.need(ctx.params.id);
    await writePolicy(db, ev.id, ctx.body);
    return { body: { eventId: ev.id, pricing: await readPolicy(db, ev.id) } };
  });

  router.get('/api/events/:id/codes', { auth: OPERATORS }, async (ctx) => {
    const ev = await events.need(ctx.params.id);
    return { body: { eventId: ev.id, codes: await listCodes(db, ev.id) } };
  });

  router.post('/api/events/:id/codes', { auth: OPERATORS, write: true, body: codeSchema }, async (ctx) => {
    const ev = await events.need(ctx.params.id);
    return { status: 201, body: { code: await createCode(db, ev.id, ctx.body) } };
  });

  router.delete('/api/events/:id/codes/:code', { auth: OPERATORS, write: true }, async (ctx) => {
    const ev = await events.need(ctx.params.id);
    await deleteCode(db, ev.id, ctx.params.code);
    return { body: { deleted: ctx.params.code.toUpperCase() } };
  });

  router.post('/api/checkout', { auth: 'user', write: true, body: checkoutSchema }, async (ctx) => {
    const r = await orders.checkout(ctx.user!, ctx.body, idempotencyKey(ctx));
    return { status: r.created ? 201 : 200, body: { order: r.order, payment: r.payment } };
  });

  router.post(
    '/api/box-office/orders',
    { auth: OPERATORS, write: true, body: boxOfficeSchema },
    async (ctx) => {
      const r = await orders.boxOffice(ctx.user!, ctx.body, idempotencyKey(ctx));
      return { status: r.created ? 201 : 200, body: { order: r.order, payment: null } };
    },
  );

  // A fan's own orders; operators search by email, order, seat or ticket (and event). Pages
  // of `limit`, newest first; `next` is the cursor of the following page (`after`).
  router.get('/api/orders', { auth: 'user' }, async (ctx) => {
    const q = ctx.query;
    const limit = limitOf(q.get('limit'));
    const filter = {
      email: q.get('email') ?? undefined,
      orderId: q.get('order') ?? undefined,
      seat: q.get('seat') ?? undefined,
      ticketId: q.get('ticket') ?? undefined,
      eventId: q.get('eventId') ?? undefined,
    };
    const searching = Object.values(filter).some((v) => v !== undefined);
    if (searching && !isOperator(ctx.user)) throw new AppError('FORBIDDEN', 'only operators search orders');
    const after = q.get('after') || undefined;
    const page = await searchOrders(
      db,
      searching ? { ...filter, after } : { fanId: ctx.user!.id, after },
      limit,
    );
    return { headers: { 'cache-control': 'no-store' }, body: page };
  });

  router.get('/api/orders/:id', { auth: 'user' }, async (ctx) => ({
    headers: { 'cache-control': 'no-store' },
    body: { order: await orders.get(ctx.params.id, ctx.user, isOperator(ctx.user)) },
  }));

  router.get('/api/orders/:id/refunds', { auth: OPERATORS }, async (ctx) => {
    await orders.get(ctx.params.id, ctx.user, true);
    return { body: { refunds: await orders.refunds(ctx.params.id) } };
  });

  router.post(
    '/api/orders/:id/refunds',
    { auth: OPERATORS, write: true, body: refundSchema },
    async (ctx) => {
      const key =
        idempotencyKey(ctx) ?? `refund:${ctx.params.id}:${ctx.body.tickets?.toSorted().join(',') ?? 'all'}`;
      const r = await orders.refund(ctx.params.id, ctx.body, key);
      return { status: r.created ? 201 : 200, body: { refund: r.refund } };
    },
  );

  router.post(
    '/api/events/:id/cancel',
    { auth: OPERATORS, write: true, body: z.object({ reason: z.string().min(1).max(500) }).strict() },
    // Drafts too: they have no actor (events.need would not find them), but may have been announced.
    async (ctx) => ({
      body: { eventId: ctx.params.id, ...(await orders.cancelEvent(ctx.params.id, ctx.body.reason)) },
    }),
  );

  router.get('/api/events/:id/sales', { auth: OPERATORS }, async (ctx) => {
    const ev = await events.need(ctx.params.id);
    return { headers: { 'cache-control': 'no-store' }, body: await salesReport(db, ev.id) };
  });
}
