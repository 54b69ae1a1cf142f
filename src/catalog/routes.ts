import { z } from 'zod';
import { ifNoneMatch, type RequestContext, type Router } from '../gateway/router.ts';
import { OPERATORS } from '../user.ts';
import type { Catalog } from './catalog.ts';
import { CatalogError } from './errors.ts';
import { MAX_INVITATIONS } from './presale.ts';
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

// The catalog over HTTP: public search, suggestions and event records, and the operators'
// venues (with chart import and export), performers, events, price tiers, status changes
// (the one way a sale moves) and presale lists.

/** Charts of the largest venues run to a few megabytes of JSON. */
const CHART_BODY = 32 * 1024 * 1024;
const NO_STORE = { 'cache-control': 'no-store' };

const presaleBody = z
  .object({ emails: z.array(z.string().trim().toLowerCase().max(254).pipe(z.email())).max(MAX_INVITATIONS) })
  .strict();

function paging(ctx: RequestContext<unknown>): { page: number; pageSize: number } {
  const num = (name: string, dflt: number, max: number) => {
    const raw = ctx.query.get(name);
    if (raw === null || raw === '') return dflt;
    const n = Number(raw);
    if (!/^\d{1,6}$/.test(raw) || n < 1 || n > max) {
      throw new CatalogError('INVALID_QUERY', `${name}: a whole number from 1 to ${max}`);
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
    if (q.length > 200) throw new CatalogError('INVALID_QUERY', 'q: at most 200 characters');
    return {
      headers: { 'cache-control': 'public, max-age=30' },
      body: { q, suggestions: await catalog.search.suggest(q) },
    };
  });

  // ---- venues --------------------------------------------------------------------------

  router.post(
    '/api/venues',
    { auth: OPERATORS, write: true, body: venueCreateSchema, maxBody: CHART_BODY },
    async (ctx) => ({ status: 201, body: { venue: await catalog.createVenue(ctx.body) } }),
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
    async (ctx) => ({ body: { venue: await catalog.importChart(ctx.params.id, ctx.body) } }),
  );

  // Export: the current chart exactly as stored.
  router.get('/api/venues/:id/chart', { auth: OPERATORS }, async (ctx) => {
    const chart = await catalog.store.chartText(ctx.params.id);
    if (!chart) throw new CatalogError('NO_CHART', `venue "${ctx.params.id.slice(0, 64)}" has no chart yet`);
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
      throw new CatalogError('INVALID_QUERY', `status: one of ${EVENT_STATUSES.join(', ')}`);
    }
    const venueId = ctx.query.get('venueId') || undefined;
    if (venueId !== undefined && !idSchema.safeParse(venueId).success) {
      throw new CatalogError('INVALID_QUERY', 'venueId: ids are 1-64 letters, digits, "-" or "_"');
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

  // Who may buy during the presale: replaced whole; emails of accounts, any case.
  router.put(
    '/api/events/:id/presale-list',
    { auth: OPERATORS, write: true, body: presaleBody, maxBody: 8 << 20 },
    async (ctx) => {
      await catalog.store.getEvent(ctx.params.id); // 404 for an unknown event
      return {
        body: {
          eventId: ctx.params.id,
          total: await catalog.presale.replace(ctx.params.id, ctx.body.emails),
        },
      };
    },
  );

  router.get('/api/events/:id/presale-list', { auth: OPERATORS }, async (ctx) => {
    await catalog.store.getEvent(ctx.params.id);
    const { page, pageSize } = paging(ctx);
    return {
      headers: NO_STORE,
      body: {
        eventId: ctx.params.id,
        page,
        pageSize,
        ...(await catalog.presale.list(ctx.params.id, page, pageSize)),
      },
    };
  });

  // The public record merged with the live availability. The ETag covers both (record hash
  // + seat-state version); drafts are for operators only.
  router.get('/api/events/:id', {}, async (ctx) => {
    const { record, live } = await catalog.view(ctx.params.id, ctx.user);
    const etag = `"${record.tag}.${live ? live.version : 'x'}"`;
    const headers = {
      etag,
      'cache-control': record.value.status === 'draft' ? 'private, no-cache' : 'public, max-age=1',
    };
    if (ifNoneMatch(ctx.headers['if-none-match'], etag)) return { status: 304, headers };
    return {
      headers,
      body: {
        ...record.value,
        sale: live?.sale ?? null,
        version: live?.version ?? null,
        seats: live?.seats ?? null,
        areas: live?.areas ?? [],
      },
    };
  });
}
