import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChart } from '../../src/domain/chart-generator.ts';
import type { Server } from '../../src/server.ts';
import { type RequestOptions, request } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The catalog through the real server in-process (uWS, PGlite in a temp dir): operator
// auth through the accounts module, venues with chart import/export, performers, events
// that open live actors, the cached event record with ETag/304 and its invalidation,
// status changes driving the sale, search and suggestions over HTTP, and a restart.

const ADMIN = { email: 'catalog-admin@example.com', password: 'admin-password-1' };
const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();

describe('the catalog over HTTP', () => {
  let server: Server;
  let url: string;
  let operator: string;
  let fan: string;

  let t: TestServer;
  const call = (method: string, path: string, opts: RequestOptions = {}) => request(url, method, path, opts);
  const op = (method: string, path: string, json?: unknown) => call(method, path, { json, token: operator });

  beforeAll(async () => {
    t = await startTestServer({ ONSALE_ADMIN_EMAIL: ADMIN.email, ONSALE_ADMIN_PASSWORD: ADMIN.password });
    ({ server, url } = t);
    const admin = (await call('POST', '/api/accounts/login', { json: ADMIN })).body.token;
    const opUser = { email: 'op@example.com', password: 'operator-password-1', role: 'operator' };
    expect((await call('POST', '/api/admin/users', { json: opUser, token: admin })).status).toBe(201);
    // Sign-in takes exactly email and password (bodies are strict).
    const { role: _role, ...credentials } = opUser;
    operator = (await call('POST', '/api/accounts/login', { json: credentials })).body.token;
    fan = (
      await call('POST', '/api/accounts/register', {
        json: { email: 'fan@example.com', password: 'fan-password-1' },
      })
    ).body.token;
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('given no session or a fan, then the operator routes refuse (401, 403)', async () => {
    const venue = { name: 'Nope Hall', city: 'Oslo' };
    expect((await call('POST', '/api/venues', { json: venue })).status).toBe(401);
    const r = await call('POST', '/api/venues', { json: venue, token: fan });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect((await call('GET', '/api/venues', { token: fan })).status).toBe(403);
    expect(
      (await call('PUT', '/api/events/x/status', { json: { status: 'paused' }, token: fan })).status,
    ).toBe(403);
  });

  it('given venues with a generated chart and an imported one, then the chart exports as imported', async () => {
    const r = await op('POST', '/api/venues', {
      id: 'apollo',
      name: 'Apollo Theatre',
      address: '31 Shaftesbury Avenue',
      city: 'London',
      country: 'United Kingdom',
      lat: 51.5115,
      lng: -0.1319,
      chartTemplate: 'theatre',
    });
    expect(r.status).toBe(201);
    expect(r.body.venue).toMatchObject({ id: 'apollo', chartVersion: 1, capacity: 2007 });

    const chart = generateChart('theatre', 'apollo-v2');
    chart.sections[0].rows[0].seats[0].x = 9999; // outside its section's bounds
    chart.sections[1].rows[0].seats[1].category = 'VIP';
    const bad = await op('PUT', '/api/venues/apollo/chart', chart);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_CHART');
    expect(bad.body.error.problems.map((p: { code: string }) => p.code)).toEqual([
      'CHART_SEAT_OUTSIDE_SECTION',
      'CHART_UNKNOWN_CATEGORY',
    ]);
    expect(bad.body.error.problems[1].path).toBe('sections[1].rows[0].seats[1]');

    const good = generateChart('theatre', 'apollo-v2');
    const ok = await op('PUT', '/api/venues/apollo/chart', good);
    expect(ok.status).toBe(200);
    expect(ok.body.venue.chartVersion).toBe(2);
    const exported = await op('GET', '/api/venues/apollo/chart');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('x-chart-version')).toBe('2');
    expect(exported.body).toEqual(JSON.parse(JSON.stringify(good)));

    const inline = await op('POST', '/api/venues', {
      id: 'dup',
      name: 'Dup Hall',
      city: 'Oslo',
      chart: { id: 'x' },
    });
    expect(inline.status).toBe(400);
    expect(inline.body.error.problems[0]).toMatchObject({ code: 'CHART_SCHEMA' });
    expect((await op('POST', '/api/venues', { id: 'apollo', name: 'Again', city: 'Oslo' })).status).toBe(409);
    expect((await op('GET', '/api/venues/apollo')).body.venue.name).toBe('Apollo Theatre');
    expect((await op('GET', '/api/venues')).body.total).toBe(1);
  });

  it('given an event created on sale, then its live actor serves seats and the record merges both', async () => {
    expect((await op('POST', '/api/performers', { id: 'beyonce', name: 'Beyoncé' })).status).toBe(201);
    const created = await op('POST', '/api/events', {
      id: 'renaissance',
      name: 'Beyoncé: Renaissance',
      description: 'One night only.',
      category: 'concert',
      venueId: 'apollo',
      performerIds: ['beyonce'],
      startsAt: inDays(30),
      onSaleAt: inDays(-1),
      status: 'on_sale',
      priceTiers: { P1: 25_000, P2: 15_000, P3: 9_000, P4: 5_000 },
    });
    expect(created.status).toBe(201);
    expect(created.body.event).toMatchObject({ id: 'renaissance', status: 'on_sale', chartVersion: 2 });

    const seats = await call('GET', '/api/events/renaissance/seats');
    expect(seats.status).toBe(200);
    expect(seats.body.eventId).toBe('renaissance');
    expect(Buffer.from(seats.body.status, 'base64').length).toBe(2007);
    expect((await call('GET', '/api/events/renaissance/chart')).body.chart.id).toBe('apollo-v2');

    const r = await call('GET', '/api/events/renaissance');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: 'renaissance',
      name: 'Beyoncé: Renaissance',
      category: 'concert',
      status: 'on_sale',
      capacity: 2007,
      venue: { id: 'apollo', name: 'Apollo Theatre', city: 'London' },
      performers: [{ id: 'beyonce', name: 'Beyoncé' }],
      sale: 'open',
      // The actor's first events: the prices, then the sale opening.
      version: 2,
      seats: { available: 2007, held: 0, booked: 0 },
      areas: [],
    });
    expect(r.body.priceTiers[0]).toEqual({ category: 'P1', name: 'Premium', price: 25_000 });
    expect(r.headers.get('etag')).toMatch(/^".+\.2"$/);
    expect(r.headers.get('cache-control')).toBe('public, max-age=1');
  });

  it('given If-None-Match, then 304 until the record or the availability changes', async () => {
    const first = await call('GET', '/api/events/renaissance');
    const etag = first.headers.get('etag')!;
    const same = await call('GET', '/api/events/renaissance', { headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304);
    expect(same.headers.get('etag')).toBe(etag);

    // A hold changes availability (from the actor): new version, new ETag.
    const hold = await call('POST', '/api/holds', {
      json: { eventId: 'renaissance', best: { count: 2 } },
      token: fan,
    });
    expect(hold.status).toBe(201);
    const afterHold = await call('GET', '/api/events/renaissance', { headers: { 'if-none-match': etag } });
    expect(afterHold.status).toBe(200);
    expect(afterHold.body.seats.held).toBe(2);
    const etag2 = afterHold.headers.get('etag')!;
    expect(etag2).not.toBe(etag);

    // An edit to the event drops its cached record.
    expect(
      (await op('PUT', '/api/events/renaissance', { name: 'Beyoncé: Renaissance (extra date)' })).status,
    ).toBe(200);
    const edited = await call('GET', '/api/events/renaissance', { headers: { 'if-none-match': etag2 } });
    expect(edited.status).toBe(200);
    expect(edited.body.name).toBe('Beyoncé: Renaissance (extra date)');

    // So does an edit to its performer or its venue.
    expect((await op('PUT', '/api/performers/beyonce', { description: 'Singer from Houston.' })).status).toBe(
      200,
    );
    const byPerformer = await call('GET', '/api/events/renaissance');
    expect(byPerformer.body.performers[0].description).toBe('Singer from Houston.');
    expect(byPerformer.headers.get('etag')).not.toBe(edited.headers.get('etag'));
    expect((await op('PUT', '/api/venues/apollo', { name: 'Apollo Victoria Theatre' })).status).toBe(200);
    expect((await call('GET', '/api/events/renaissance')).body.venue.name).toBe('Apollo Victoria Theatre');
    expect(server.catalog.cache.hits).toBeGreaterThan(0);
  });

  it('given status changes, then the actor sale follows and bad transitions are refused', async () => {
    const paused = await op('PUT', '/api/events/renaissance/status', { status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ from: 'on_sale', changed: true, event: { status: 'paused' } });
    expect((await call('GET', '/api/events/renaissance')).body).toMatchObject({
      status: 'paused',
      sale: 'paused',
    });
    const hold = await call('POST', '/api/holds', {
      json: { eventId: 'renaissance', best: { count: 1 } },
      token: fan,
    });
    expect(hold.status).toBe(409);
    expect((await op('PUT', '/api/events/renaissance/status', { status: 'draft' })).status).toBe(409);
    const back = await op('PUT', '/api/events/renaissance/status', { status: 'scheduled' });
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('BAD_TRANSITION');
    expect((await op('PUT', '/api/events/renaissance/status', { status: 'on_sale' })).status).toBe(200);
    expect((await call('GET', '/api/events/renaissance')).body.sale).toBe('open');
  });

  it('given a draft, then only operators see it, it has no actor, and publishing opens one', async () => {
    const created = await op('POST', '/api/events', {
      id: 'draft-night',
      name: 'Draft Night',
      category: 'comedy',
      venueId: 'apollo',
      startsAt: inDays(20),
      status: 'draft',
    });
    expect(created.status).toBe(201);
    expect((await call('GET', '/api/events/draft-night')).status).toBe(404);
    expect((await call('GET', '/api/events/draft-night', { token: fan })).status).toBe(404);
    const seen = await call('GET', '/api/events/draft-night', { token: operator });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ status: 'draft', sale: null, seats: null });
    expect(seen.headers.get('cache-control')).toBe('private, no-cache');
    expect((await call('GET', '/api/events/draft-night/seats')).status).toBe(404);

    const noTiers = await op('PUT', '/api/events/draft-night/status', { status: 'scheduled' });
    expect(noTiers.body.error.code).toBe('NO_PRICE_TIERS');
    expect(
      (await op('PUT', '/api/events/draft-night/price-tiers', { priceTiers: { P4: 2_500 } })).status,
    ).toBe(200);
    expect((await op('PUT', '/api/events/draft-night/status', { status: 'scheduled' })).status).toBe(200);
    expect((await call('GET', '/api/events/draft-night/seats')).status).toBe(200);
    expect((await call('GET', '/api/events/draft-night')).body).toMatchObject({
      status: 'scheduled',
      sale: 'closed',
    });
    const tiersLocked = await op('PUT', '/api/events/draft-night/price-tiers', { priceTiers: { P4: 1 } });
    expect(tiersLocked.body.error.code).toBe('EVENT_PUBLISHED');
    const list = await op('GET', '/api/events?status=scheduled');
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual(['draft-night']);
  });

  it('given search and suggestions over HTTP, then results, facets, 400s for bad queries', async () => {
    const r = await call('GET', '/api/events/search?q=Beyonse');
    expect(r.status).toBe(200);
    expect(r.body.results.map((h: { id: string }) => h.id)).toEqual(['renaissance']);
    expect(r.body.facets.city).toEqual([{ value: 'London', count: 1 }]);
    expect(r.headers.get('cache-control')).toBe('public, max-age=5');
    const s = await call('GET', `/api/search/suggest?q=${encodeURIComponent('beyo')}`);
    expect(s.body.suggestions[0]).toMatchObject({ type: 'performer', id: 'beyonce', text: 'Beyoncé' });

    for (const q of [
      'page=-1',
      'from=2030-02-01&to=2030-01-01',
      `q=${'x'.repeat(3000)}`,
      'sort=bogus',
      'near=1',
    ]) {
      const bad = await call('GET', `/api/events/search?${q}`);
      expect(bad.status, q).toBe(400);
      expect(bad.body.error.code).toBe('INVALID_QUERY');
    }
    for (const q of ['%F0%9F%92%A5', '%ED%A0%80', '%E0%A4%A', '%27%20OR%201%3D1', '%FF%FE', '%09%0A']) {
      const odd = await call('GET', `/api/events/search?q=${q}`);
      expect(odd.status, q).toBe(200);
    }
    // NUL and the other control characters (bar tab, LF, CR) are refused at the edge.
    for (const q of ['%00', 'a%00b', '%1B%5B31m']) {
      const refused = await call('GET', `/api/events/search?q=${q}`);
      expect(refused.status, q).toBe(400);
      expect(refused.body.error.code).toBe('INVALID_QUERY');
    }
    expect((await call('GET', `/api/search/suggest?q=${'y'.repeat(500)}`)).status).toBe(400);
  });

  it('given a restart, then the events, their status and their actors come back', async () => {
    t = await t.restart();
    ({ server, url } = t);
    operator = (
      await call('POST', '/api/accounts/login', {
        json: { email: 'op@example.com', password: 'operator-password-1' },
      })
    ).body.token;
    const r = await call('GET', '/api/events/renaissance');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'on_sale', sale: 'open', seats: { held: 2 } });
    expect((await call('GET', '/api/events/renaissance/seats')).status).toBe(200);
    expect((await call('GET', '/api/events/draft-night')).body).toMatchObject({
      status: 'scheduled',
      sale: 'closed',
    });
    expect((await call('GET', '/api/events/search?q=renaissance')).body.total).toBe(1);
    expect(server.directory.ids().sort()).toEqual(['draft-night', 'renaissance']);
  });
});
