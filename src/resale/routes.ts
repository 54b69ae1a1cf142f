import { z } from 'zod';
import type { Router } from '../gateway/router.ts';
import { isOperator, OPERATORS } from '../user.ts';
import type { ResaleMarket } from './market.ts';

// The resale market over HTTP: holders list and withdraw tickets, anyone sees an event's
// offers, operators set the cap. Buying is the checkout's: POST /api/checkout {listingId}.

const NO_STORE = { 'cache-control': 'no-store' };

export function resaleRoutes(router: Router, market: ResaleMarket): void {
  router.post(
    '/api/tickets/:id/resale',
    {
      auth: 'user',
      write: true,
      body: z.object({ price: z.number().int().positive().max(1_000_000_000) }).strict(),
    },
    async (ctx) => ({
      status: 201,
      body: { listing: await market.list(ctx.params.id, ctx.user!, ctx.body.price) },
    }),
  );

  router.get('/api/tickets/:id/resale-cap', { auth: 'user' }, async (ctx) => {
    const { cap, face, policy } = await market.capFor(ctx.params.id, ctx.user!);
    return { headers: NO_STORE, body: { ticketId: ctx.params.id, cap, faceValue: face, policy } };
  });

  router.delete('/api/resale/:id', { auth: 'user', write: true }, async (ctx) => ({
    body: { listing: await market.withdraw(ctx.params.id, ctx.user!, isOperator(ctx.user)) },
  }));

  router.get('/api/resale/mine', { auth: 'user' }, async (ctx) => ({
    headers: NO_STORE,
    body: { listings: await market.mine(ctx.user!), payouts: await market.payouts(ctx.user!) },
  }));

  router.get('/api/events/:id/resale', {}, async (ctx) => ({
    headers: NO_STORE,
    body: { eventId: ctx.params.id, listings: await market.onOffer(ctx.params.id) },
  }));

  router.get('/api/events/:id/resale-policy', {}, async (ctx) => ({
    body: { policy: await market.policy(ctx.params.id) },
  }));

  router.put(
    '/api/events/:id/resale-policy',
    {
      auth: OPERATORS,
      write: true,
      body: z.object({ capBp: z.number().int().min(0).max(100_000), enabled: z.boolean() }).strict(),
    },
    async (ctx) => ({ body: { policy: await market.setPolicy(ctx.params.id, ctx.body) } }),
  );
}
