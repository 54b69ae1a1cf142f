import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWebApp } from '../../src/gateway/web.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The web app on the API's port: its files, its routes, its 404, and the API left alone.

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers });

describe('the web app', () => {
  it('given /, then the app page as HTML, revalidated on every use', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    const html = await r.text();
    expect(html).toContain('<div id="app"></div>');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it.each([
    '/events/demo-stadium',
    '/queue/demo-stadium',
    '/checkout',
    '/tickets',
    '/orders',
    '/signin',
    '/console',
    '/console/events/x',
    '/scan',
  ])('given the app route %s, then 200 with the app page', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<div id="app"></div>');
  });

  it('given a path that is neither the app nor the API, then 404 with the app page (it shows its not-found page)', async () => {
    const r = await get('/no/such/page');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await r.text()).toContain('<div id="app"></div>');
  });

  it('given an unknown API path, then the JSON 404 as before', async () => {
    for (const path of ['/api/nowhere', '/api', '/internal/x']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type'), path).toBe('application/json');
      expect(((await r.json()) as { error: { code: string } }).error.code, path).toBe('NOT_FOUND');
    }
  });

  it('given a hashed asset, then its content type, cached for good, compressed when asked, 304 for its ETag', async () => {
    const html = await (await get('/')).text();
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1];
    const r = await get(js, { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(r.headers.get('content-encoding')).toBe('gzip');
    expect((await r.text()).length).toBeGreaterThan(1000);
    const c = await get(css);
    expect(c.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const again = await get(js, { 'if-none-match': r.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('given HEAD, then the same status and headers with the length and no body', async () => {
    const page = await fetch(`${t.url}/tickets`, { method: 'HEAD' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(Number(page.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await page.text()).toBe('');
    expect((await fetch(`${t.url}/nowhere`, { method: 'HEAD' })).status).toBe(404);
  });

  it('given an asset that does not exist, then 404', async () => {
    expect((await get('/assets/index-missing.js')).status).toBe(404);
  });
});

describe('building the app when dist is missing', () => {
  it('given no dist, then one is built and read; two servers building at once both get the app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onsale-web-'));
    const dist = join(dir, 'dist');
    try {
      const [a, b] = await Promise.all([loadWebApp(dist), loadWebApp(dist)]);
      expect(existsSync(join(dist, 'index.html'))).toBe(true);
      for (const app of [a, b]) {
        expect(app.index.type).toBe('text/html; charset=utf-8');
        expect([...app.files.keys()].some((p) => /^\/assets\/index-[\w-]+\.js$/.test(p))).toBe(true);
      }
      // No builder's temporary directory is left behind.
      expect(readdirSync(dir)).toEqual(['dist']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
