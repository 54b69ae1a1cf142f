import { z } from 'zod';
import { HttpError, type Reply, type RequestContext, type Role, type Router } from '../gateway/router.ts';
import type { Catalog } from './catalog.ts';
import { InvalidChart } from './chart-format.ts';
import {
  EVENT_STATUSES,
  type EventStatus,
  eventCreateSchema,
  eventUpdateSchema,
  idSchema,
  parseSearchQuery,
  performerCreateSchema,
  performerUpdateSchema,
  priceTiersBodySchema,
  statusBodySchema,
  venueCreateSchema,
  venueUpdateSchema,
} from './schema.ts';

// The catalog over HTTP: public search and suggestions, and the operators' venues (with
// chart import and export), performers, events, price tiers and status changes.
// GET /api/events/:id (the public event record) is served from event-routes.ts through
// Catalog.eventReply.

const OPERATORS: Role[] = ['operator', 'admin'];
/** Charts of the largest venues run to a few megabytes of JSON. */
const CHART_BODY = 32 * 1024 * 1024;
const NO_STORE = { 'cache-control': 'no-store' };

/** A chart's problems go out in full: {error: {code, message, problems, more}}. */
async function charted(fn: () => Promise<Reply>): Promise<Reply> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof InvalidChart)) throw e;
    return {
      status: 400,
      body: { error: { code: e.code, message: e.message, problems: e.problems, more: e.more } },
    };
  }
}

function paging(ctx: RequestContext<unknown>): { page: number; pageSize: number } {
  const num = (name: string, dflt: number, max: number) => {
    const raw = ctx.query.get(name);
    if (raw === null || raw === '') return dflt;
    const n = Number(raw);
    if (!/^\d{1,6}$/.test(raw) || n < 1 || n > max) {
      throw new HttpError(400, 'INVALID_QUERY', `${name}: a whole number from 1 to ${max}`);
    }
    return n;
  };
  return { page: num('page', 1, 10_000), pageSize: num('pageSize', 50, 500) };
}

export function catalogRoutes(router: Router, catalog: Catalog): void {
  // ---- public --------------------------------------------------------------------------

  router.get('/api/events/search', {}, async (ctx) => ({
    headers: { 'cache-control': 'public, max-age=5' },
    body: await catalog.search.search(parseSearchQuery(ctx.query)),
  }));

  router.get('/api/search/suggest', {}, async (ctx) => {
    const q = ctx.query.get('q') ?? '';
    if (q.length > 200) throw new HttpError(400, 'INVALID_QUERY', 'q: at most 200 characters');
    return {
      headers: { 'cache-control': 'public, max-age=30' },
      body: { q, suggestions: await catalog.search.suggest(q) },
    };
  });

  // ---- venues --------------------------------------------------------------------------

  router.post(
    '/api/venues',
    { auth: OPERATORS, write: true, body: venueCreateSchema, maxBody: CHART_BODY },
    (ctx) => charted(async () => ({ status: 201, body: { venue: await catalog.createVenue(ctx.body) } })),
  );

  router.get('/api/venues', { auth: OPERATORS }, async (ctx) => {
    const { page, pageSize } = paging(ctx);
    return { headers: NO_STORE, body: await catalog.store.listVenues(page, pageSize) };
  });

  router.get('/api/venues/:id', { auth: OPERATORS }, async (ctx) => ({
    headers: NO_STORE,
    body: { venue: await catalog.store.getVenue(ctx.params.id) },
  }));

  router.put('/api/venues/:id', { auth: OPERATORS, write: true, body: venueUpdateSchema }, async (ctx) => ({
    body: { venue: await catalog.updateVenue(ctx.params.id, ctx.body) },
  }));

  // Import: the body is a chart in the documented format (docs/chart-format.md).
  router.put(
    '/api/venues/:id/chart',
    { auth: OPERATORS, write: true, body: z.unknown(), maxBody: CHART_BODY },
    (ctx) => charted(async () => ({ body: { venue: await catalog.importChart(ctx.params.id, ctx.body) } })),
  );

  // Export: the current chart exactly as stored.
  router.get('/api/venues/:id/chart', { auth: OPERATORS }, async (ctx) => {
    const chart = await catalog.store.chartText(ctx.params.id);
    if (!chart)
      throw new HttpError(404, 'NO_CHART', `venue "${ctx.params.id.slice(0, 64)}" has no chart yet`);
    return {
      headers: {
        ...NO_STORE,
        'x-chart-version': String(chart.version),
        'content-disposition': `attachment; filename="${ctx.params.id}-chart-v${chart.version}.json"`,
      },
      body: JSON.parse(chart.json),
    };
  });

  // ---- performers ----------------------------------------------------------------------

  router.post(
    '/api/performers',
    { auth: OPERATORS, write: true, body: performerCreateSchema },
    async (ctx) => ({
      status: 201,
      body: { performer: await catalog.createPerformer(ctx.body) },
    }),
  );

  router.get('/api/performers', { auth: OPERATORS }, async (ctx) => {
    const { page, pageSize } = paging(ctx);
    return { headers: NO_STORE, body: await catalog.store.listPerformers(page, pageSize) };
  });

  router.get('/api/performers/:id', { auth: OPERATORS }, async (ctx) => ({
    headers: NO_STORE,
    body: { performer: await catalog.store.getPerformer(ctx.params.id) },
  }));

  router.put(
    '/api/performers/:id',
    { auth: OPERATORS, write: true, body: performerUpdateSchema },
    async (ctx) => ({ body: { performer: await catalog.updatePerformer(ctx.params.id, ctx.body) } }),
  );

  // ---- events --------------------------------------------------------------------------

  router.post('/api/events', { auth: OPERATORS, write: true, body: eventCreateSchema }, async (ctx) => ({
    status: 201,
    body: { event: await catalog.createEvent(ctx.body) },
  }));

  // Every event, drafts included, for the operator console (fans search instead).
  router.get('/api/events', { auth: OPERATORS }, async (ctx) => {
    const { page, pageSize } = paging(ctx);
    const status = ctx.query.get('status') || undefined;
    if (status !== undefined && !(EVENT_STATUSES as readonly string[]).includes(status)) {
      throw new HttpError(400, 'INVALID_QUERY', `status: one of ${EVENT_STATUSES.join(', ')}`);
    }
    const venueId = ctx.query.get('venueId') || undefined;
    if (venueId !== undefined && !idSchema.safeParse(venueId).success) {
      throw new HttpError(400, 'INVALID_QUERY', 'venueId: ids are 1-64 letters, digits, "-" or "_"');
    }
    return {
      headers: NO_STORE,
      body: await catalog.store.listEvents(
        { status: status as EventStatus | undefined, venueId },
        page,
        pageSize,
      ),
    };
  });

  router.put('/api/events/:id', { auth: OPERATORS, write: true, body: eventUpdateSchema }, async (ctx) => ({
    body: { event: await catalog.updateEvent(ctx.params.id, ctx.body) },
  }));

  router.put(
    '/api/events/:id/price-tiers',
    { auth: OPERATORS, write: true, body: priceTiersBodySchema },
    async (ctx) => ({ body: { event: await catalog.setPriceTiers(ctx.params.id, ctx.body.priceTiers) } }),
  );

  router.put(
    '/api/events/:id/status',
    { auth: OPERATORS, write: true, body: statusBodySchema },
    async (ctx) => {
      const { event, from, changed } = await catalog.setStatus(ctx.params.id, ctx.body.status);
      return { body: { event, from, changed } };
    },
  );
}
