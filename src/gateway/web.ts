import type { TemplatedApp } from 'uWebSockets.js';
import { readFileSync } from 'node:fs';
import { refuseWithoutHost } from './http.ts';

// The browser seat map (client/web), bundled with the SDK in memory at start-up, so
// `npm start` serves it with no build step. The bundle is built by esbuild's own process:
// start it first (`buildWebPage`) and it is ready by the time the database is.

const root = new URL('../../client/web/', import.meta.url);

export interface WebPage {
  html: string;
  js: string;
}

/** Builds running now: esbuild's service process stops when the last one ends. */
let building = 0;

/** Bundles the page. */
export async function buildWebPage(): Promise<WebPage> {
  const esbuild = await import('esbuild');
  building++;
  try {
    const html = readFileSync(new URL('index.html', root), 'utf8');
    const bundle = await esbuild.build({
      entryPoints: [new URL('app.ts', root).pathname],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
    });
    return { html, js: bundle.outputFiles[0].text };
  } finally {
    // The service would otherwise idle beside the server for as long as it runs.
    if (--building === 0) await esbuild.stop();
  }
}

export function webRoutes(app: TemplatedApp, page: WebPage): void {
  const { html, js } = page;
  app.get('/', (res, req) => {
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    res.cork(() => res.writeHeader('content-type', 'text/html; charset=utf-8').end(html));
  });
  app.get('/app.js', (res, req) => {
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    res.cork(() =>
      res.writeHeader('content-type', 'text/javascript').writeHeader('cache-control', 'no-cache').end(js),
    );
  });
}
