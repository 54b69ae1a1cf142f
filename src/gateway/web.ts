import type { TemplatedApp } from 'uWebSockets.js';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { refuseWithoutHost } from './http.ts';

// The browser seat map (client/web), bundled with the SDK in memory at start-up, so
// `npm start` serves it with no build step.

const root = new URL('../../client/web/', import.meta.url);

export async function webRoutes(app: TemplatedApp): Promise<void> {
  const html = readFileSync(new URL('index.html', root), 'utf8');
  const bundle = await build({
    entryPoints: [new URL('app.ts', root).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
  });
  const js = bundle.outputFiles[0].text;
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
