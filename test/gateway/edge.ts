import uWS from 'uWebSockets.js';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMetrics } from '../../src/gateway/metrics.ts';
import { RateLimiter } from '../../src/gateway/rate-limit.ts';
import { Router } from '../../src/gateway/router.ts';
import { ADMIN, admin, EVENT, expectError, type Gateway, http, signUp, stateDigest } from './support.ts';

// What the router checks at the edge, once, for every route it serves: control characters
// in path parameters (400 BAD_PATH), in query parameters and in JSON bodies (400
// INVALID_QUERY / INVALID_BODY), bodies that are not application/json (415), unknown keys
// in bodies (400), and how the chart travels (one content-type, gzip and br, ETag/304).
// The walks go through every route the server registered, so a new route is covered.

/** Control characters an id in a path may never hold, percent-encoded. */
const PATH_CONTROLS = ['%00', '%01', '%09', '%0A', '%0D', '%1B', '%1F', '%7F'];

const fill = (pattern: string, values: Record<string, string>) =>
  pattern.replace(/:([A-Za-z]+)/g, (_m, name: string) => values[name] ?? 'no-such-thing');

/** GET with node:http (fetch would decode the body and merge repeated headers). */
function rawGet(
  gw: Gateway,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; rawHeaders: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${gw.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every value of one header, as sent (case-insensitive name). */
function valuesOf(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (rawHeaders[i].toLowerCase() === name) out.push(rawHeaders[i + 1]);
  return out;
}

export function edgeSuite(server: () => Gateway): void {
  let gw: Gateway;
  let adminToken: string;

  beforeAll(async () => {
    gw = server();
    adminToken = (await admin(gw)).token;
  });

  const routes = () => gw.server.routes;
  const send = (method: string, path: string, opts: Parameters<typeof http>[3] = {}) =>
    http(gw, method, path, { token: adminToken, ...opts });

  describe('control characters at the edge', () => {
    it('given every registered route, then the walk covers the routes the server serves', () => {
      const names = routes().map((r) => `${r.method} ${r.pattern}`);
      expect(names.length).toBeGreaterThan(30);
      for (const r of [
        'GET /api/events/:id',
        'PUT /api/venues/:id',
        'PUT /api/admin/users/:id/role',
        'PUT /api/events/:id/price-tiers',
        'GET /api/events',
        'DELETE /api/holds/:id',
      ])
        expect(names).toContain(r);
    });

    it('given a control character in any path parameter of any route, then 400 BAD_PATH before anything runs (admin or not), never 500, and nothing changes', async () => {
      const before = await stateDigest(gw);
      let checked = 0;
      for (const r of routes()) {
        for (const param of r.params) {
          for (const bad of PATH_CONTROLS) {
            const path = fill(r.pattern, { [param]: `a${bad}b` });
            for (const token of [adminToken, undefined]) {
              const res = await http(gw, r.method, path, { token, json: r.body ? {} : undefined });
              expect({
                route: `${r.method} ${r.pattern}`,
                param,
                bad,
                status: res.status,
                body: res.body,
              }).toEqual({
                route: `${r.method} ${r.pattern}`,
                param,
                bad,
                status: 400,
                body: { error: { code: 'BAD_PATH', message: expect.stringContaining(param) } },
              });
              checked++;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(300);
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given the same routes with an id made of ordinary characters, then no BAD_PATH and no 500 (the rule is about the characters)', async () => {
      for (const r of routes()) {
        if (r.params.length === 0) continue;
        const res = await send(r.method, fill(r.pattern, {}), { json: r.body ? {} : undefined });
        expect(res.status, `${r.method} ${r.pattern}: ${res.text}`).toBeLessThan(500);
        expect(res.body?.error?.code, `${r.method} ${r.pattern}`).not.toBe('BAD_PATH');
      }
    });

    it('given GET /api/events/%00 and a NUL in the ids of venue, performer, event update/status/price-tier and role routes, then 400 BAD_PATH', async () => {
      const cases: [string, string, unknown?][] = [
        ['GET', '/api/events/%00'],
        ['GET', '/api/venues/%00'],
        ['PUT', '/api/venues/%00', { name: 'x' }],
        ['GET', '/api/venues/%00/chart'],
        ['GET', '/api/performers/%00'],
        ['PUT', '/api/performers/%00', { name: 'x' }],
        ['PUT', '/api/events/%00', { name: 'x' }],
        ['PUT', '/api/events/%00/status', { status: 'on_sale' }],
        ['PUT', '/api/events/%00/price-tiers', { priceTiers: { P1: 100 } }],
        ['PUT', '/api/admin/users/%00/role', { role: 'fan' }],
        ['PUT', '/api/events/%00/queue', { enabled: true, rate: 5 }],
      ];
      for (const [method, path, json] of cases)
        expectError(await send(method, path, { json }), 400, 'BAD_PATH');
    });

    it('given a NUL or another control character in any query parameter of any route, then 400 INVALID_QUERY; tab, LF and CR are text', async () => {
      const before = await stateDigest(gw);
      for (const r of routes()) {
        const path = fill(r.pattern, { id: EVENT });
        for (const q of ['x=%00', 'x=a%01b', 'x=%7F', '%00=1', 'page=1&venueId=%00']) {
          const res = await send(r.method, `${path}?${q}`, { json: r.body ? {} : undefined });
          expect({
            route: `${r.method} ${r.pattern}`,
            q,
            status: res.status,
            code: res.body?.error?.code,
          }).toEqual({ route: `${r.method} ${r.pattern}`, q, status: 400, code: 'INVALID_QUERY' });
        }
      }
      // Whitespace passes the edge: free text (a search) may hold it.
      const search = await send('GET', '/api/events/search?q=hollow%09heros%0A');
      expect(search.status, search.text).toBe(200);
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given GET /api/events?venueId=%00 (or an id with a line feed), then 400 INVALID_QUERY naming venueId', async () => {
      for (const v of ['%00', 'a%0Ab']) {
        const res = await send('GET', `/api/events?venueId=${v}`);
        expectError(res, 400, 'INVALID_QUERY');
        expect(res.body.error.message).toMatch(/^venueId: /);
      }
      expect((await send('GET', '/api/events?venueId=no-such-venue')).body).toMatchObject({ total: 0 });
    });

    it('given a search whose to comes before from (a day before, or a date-time before), then 400 INVALID_QUERY naming to', async () => {
      for (const q of [
        'from=2030-01-02&to=2030-01-01',
        'from=2030-06-10T12:00:00Z&to=2030-06-10T11:00:00Z',
      ]) {
        const res = await http(gw, 'GET', `/api/events/search?${q}`);
        expectError(res, 400, 'INVALID_QUERY');
        expect(res.body.error.message).toMatch(/^to: /);
      }
      expect((await http(gw, 'GET', '/api/events/search?from=2030-01-01&to=2030-01-01')).status).toBe(200);
    });

    it('given a NUL or another control character in any string or key of any JSON body, then 400 INVALID_BODY naming where', async () => {
      const before = await stateDigest(gw);
      const bodies: [unknown, RegExp][] = [
        [{ note: 'a\u0000b' }, /^note: /],
        [{ list: ['ok', { deep: '\u001b[31mred' }] }, /^list\.1\.deep: /],
        [{ 'k\u0000': 1 }, /^k\?: /],
        ['\u0007', /^text may not/],
      ];
      for (const r of routes()) {
        if (!r.body) continue;
        for (const [json, where] of bodies) {
          const res = await send(r.method, fill(r.pattern, { id: EVENT }), { json });
          expectError(res, 400, 'INVALID_BODY');
          expect(res.body.error.message, `${r.method} ${r.pattern}`).toMatch(where);
          expect(res.body.error.message).toMatch(/control characters/);
        }
      }
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given free text with tabs and line breaks in a body, then it is accepted (descriptions keep their lines)', async () => {
      const res = await send('POST', '/api/performers', {
        json: { name: 'Tab\tand\r\nlines', description: 'line one\nline two\r\n\tindented' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.performer.description).toContain('line one');
    });

    it('given a control character in an id on the socket-shared hold body, then INVALID_BODY (ids refuse even whitespace)', async () => {
      const res = await send('POST', '/api/holds', { json: { eventId: `${EVENT}\n`, best: { count: 1 } } });
      expectError(res, 400, 'INVALID_BODY');
      expect(res.body.error.message).toMatch(/^eventId: ids may not hold control characters/);
    });
  });

  describe('bodies are JSON', () => {
    it('given a body with content-type text/plain, none at all, or another type, on every JSON route, then 415 UNSUPPORTED_MEDIA_TYPE and nothing changes', async () => {
      const before = await stateDigest(gw);
      for (const r of routes()) {
        if (!r.body) continue;
        const path = fill(r.pattern, { id: EVENT });
        for (const type of [
          'text/plain',
          'text/plain; charset=utf-8',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          'application/merge-patch+json',
          'application/jsonx',
          null,
        ]) {
          const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` };
          if (type) headers['content-type'] = type;
          // A byte body: fetch sends no content-type of its own for one.
          const res = await fetch(`${gw.url}${path}`, {
            method: r.method,
            headers,
            body: new TextEncoder().encode('{}'),
          });
          const body = await res.json();
          expect({ route: `${r.method} ${r.pattern}`, type, status: res.status, body }).toEqual({
            route: `${r.method} ${r.pattern}`,
            type,
            status: 415,
            body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) } },
          });
        }
      }
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given application/json with parameters or in another case, then the body is read', async () => {
      for (const type of [
        'application/json; charset=utf-8',
        'Application/JSON',
        'application/json;charset="UTF-8"',
      ]) {
        const fan = await signUp(gw, 'ctype');
        const res = await http(gw, 'POST', '/api/holds/no-such-hold~x/extend', {
          token: fan.token,
          raw: JSON.stringify({ seconds: 60 }),
          headers: { 'content-type': type },
        });
        expectError(res, 404, 'HOLD_NOT_FOUND');
      }
    });

    it('given a body without content-type on register, then 415 and no account is made', async () => {
      const email = `no-type-${process.pid}@example.com`;
      const res = await fetch(`${gw.url}/api/accounts/register`, {
        method: 'POST',
        body: JSON.stringify({ email, password: 'fan-password-1' }), // fetch labels it text/plain
      });
      expect(res.status).toBe(415);
      const login = await http(gw, 'POST', '/api/accounts/login', {
        json: { email, password: 'fan-password-1' },
      });
      expectError(login, 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('bodies are strict', () => {
    it('given an otherwise valid body with an unknown key, on routes of every capability, then 400 INVALID_BODY naming the key and nothing changes', async () => {
      const fan = await signUp(gw, 'strict');
      const email = `strict-${process.pid}@example.com`;
      const cases: [string, string, Record<string, unknown>, string?][] = [
        ['POST', '/api/accounts/register', { email, password: 'fan-password-1' }, 'none'],
        ['POST', '/api/accounts/login', { ...ADMIN }, 'none'],
        ['POST', '/api/admin/users', { email, password: 'fan-password-1', role: 'operator' }],
        ['PUT', `/api/admin/users/${fan.user.id}/role`, { role: 'operator' }],
        ['POST', '/api/holds', { eventId: EVENT, best: { count: 1 } }],
        ['PUT', `/api/events/${EVENT}/queue`, { enabled: true, rate: 10 }],
        ['POST', '/api/performers', { name: 'Strictly Nobody' }],
        ['PUT', `/api/events/${EVENT}/status`, { status: 'paused' }],
        ['POST', `/internal/events/${EVENT}/commands`, { commands: [{ command: { type: 'nothing' } }] }],
      ];
      const before = await stateDigest(gw);
      for (const [method, path, body, auth] of cases) {
        const res = await http(gw, method, path, {
          token: auth === 'none' ? undefined : adminToken,
          json: { ...body, unexpected: true },
        });
        expectError(res, 400, 'INVALID_BODY');
        expect(res.body.error.message, `${method} ${path}`).toMatch(/unexpected/);
      }
      // Nested objects too.
      const nested = await http(gw, 'POST', `/internal/events/${EVENT}/commands`, {
        json: { commands: [{ command: { type: 'nothing' }, unexpected: 1 }] },
      });
      expectError(nested, 400, 'INVALID_BODY');
      expect(await stateDigest(gw)).toEqual(before);
      expect((await http(gw, 'GET', '/api/accounts/me', { token: fan.token })).body.user.role).toBe('fan');
      expectError(
        await http(gw, 'POST', '/api/accounts/login', { json: { email, password: 'fan-password-1' } }),
        401,
        'INVALID_CREDENTIALS',
      );
    });

    it('given a route whose body schema accepts unknown keys, anywhere inside, then the router refuses to register it', () => {
      const app = uWS.App();
      const limiter = new RateLimiter({ rate: 1, burst: 1 }, { rate: 1, burst: 1 });
      try {
        const router = new Router(app, {
          log: pino({ level: 'silent' }),
          metrics: createMetrics(),
          limiter,
          authenticate: async () => null,
        });
        const ok = () => ({ body: {} });
        expect(() => router.post('/a', { body: z.object({ a: z.string() }) }, ok)).toThrow(
          /POST \/a: body accepts unknown keys/,
        );
        expect(() =>
          router.post('/b', { body: z.object({ list: z.array(z.object({ x: z.number() })) }).strict() }, ok),
        ).toThrow(/body\.list\[\] accepts unknown keys/);
        expect(() =>
          router.put('/c', { body: z.object({ o: z.object({}).passthrough().optional() }).strict() }, ok),
        ).toThrow(/body\.o accepts unknown keys/);
        router.post('/d', { body: z.object({ o: z.object({}).strict().nullable() }).strict() }, ok);
        router.put('/e', { body: z.unknown() }, ok);
        expect(router.routes.map((r) => r.pattern)).toEqual(['/d', '/e']);
      } finally {
        limiter.close();
      }
    });
  });

  describe('the chart', () => {
    const path = `/api/events/${EVENT}/chart`;
    let identity: Buffer;

    it('given no accept-encoding, then the JSON uncompressed, with one content-type, an ETag and vary: accept-encoding', async () => {
      const r = await rawGet(gw, path);
      expect(r.status).toBe(200);
      expect(valuesOf(r.rawHeaders, 'content-type')).toEqual(['application/json']);
      expect(valuesOf(r.rawHeaders, 'content-encoding')).toEqual([]);
      expect(valuesOf(r.rawHeaders, 'vary')).toEqual(['accept-encoding']);
      expect(valuesOf(r.rawHeaders, 'etag')).toEqual([(await gw.server.events.get(EVENT))!.chartEtag]);
      for (const h of ['etag', 'cache-control', 'x-request-id', 'content-length'])
        expect(valuesOf(r.rawHeaders, h), h).toHaveLength(1);
      const chart = JSON.parse(r.body.toString());
      expect(chart.chart.id).toBe('demo-stadium');
      expect(chart.chart.sections.length).toBeGreaterThan(10);
      identity = r.body;
      expect(identity.length).toBeGreaterThan(1_000_000);
    });

    it.each([
      ['br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['br;q=0, gzip', 'gzip', gunzipSync],
      ['*', 'br', brotliDecompressSync],
    ] as const)(
      'given accept-encoding "%s", then %s that decompresses to the same bytes, far smaller',
      async (accept, encoding, decode) => {
        identity ??= (await rawGet(gw, path)).body;
        const r = await rawGet(gw, path, { 'accept-encoding': accept });
        expect(r.status).toBe(200);
        expect(valuesOf(r.rawHeaders, 'content-encoding')).toEqual([encoding]);
        expect(valuesOf(r.rawHeaders, 'content-type')).toEqual(['application/json']);
        expect(valuesOf(r.rawHeaders, 'vary')).toEqual(['accept-encoding']);
        expect(r.body.length).toBeLessThan(identity.length / 5);
        expect(decode(r.body).equals(identity)).toBe(true);
      },
    );

    it('given accept-encoding the server cannot give (identity only, or q=0 for all), then the uncompressed JSON', async () => {
      for (const accept of ['identity', 'br;q=0, gzip;q=0', 'deflate']) {
        const r = await rawGet(gw, path, { 'accept-encoding': accept });
        expect(valuesOf(r.rawHeaders, 'content-encoding'), accept).toEqual([]);
        expect(JSON.parse(r.body.toString()).chart.id).toBe('demo-stadium');
      }
    });

    it('given the ETag of each encoding in If-None-Match, then 304 without a body, with vary', async () => {
      for (const accept of [undefined, 'gzip', 'br']) {
        const headers: Record<string, string> = accept ? { 'accept-encoding': accept } : {};
        const first = await rawGet(gw, path, headers);
        const [etag] = valuesOf(first.rawHeaders, 'etag');
        expect(etag).toMatch(/^".+"$/);
        const again = await rawGet(gw, path, { ...headers, 'if-none-match': etag });
        expect(again.status, String(accept)).toBe(304);
        expect(again.body.length).toBe(0);
        expect(valuesOf(again.rawHeaders, 'etag')).toEqual([etag]);
        expect(valuesOf(again.rawHeaders, 'vary')).toEqual(['accept-encoding']);
        const weak = await rawGet(gw, path, { ...headers, 'if-none-match': `"other", W/${etag}` });
        expect(weak.status).toBe(304);
        const stale = await rawGet(gw, path, { ...headers, 'if-none-match': '"other"' });
        expect(stale.status).toBe(200);
      }
      // Each encoding is its own representation: the gzip ETag does not validate br.
      const gz = valuesOf((await rawGet(gw, path, { 'accept-encoding': 'gzip' })).rawHeaders, 'etag')[0];
      expect((await rawGet(gw, path, { 'accept-encoding': 'br', 'if-none-match': gz })).status).toBe(200);
    });

    it('given many requests, then the compressed bytes are made once and shared', async () => {
      const live = (await gw.server.events.get(EVENT))!;
      const [a, b] = await Promise.all([live.chartBody.get('br'), live.chartBody.get('br')]);
      expect(a).toBe(b);
      expect(await live.chartBody.get('br')).toBe(a);
      expect(await live.chartBody.get('gzip')).toBe(await live.chartBody.get('gzip'));
    });
  });
}
