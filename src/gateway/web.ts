import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EncodedBody, negotiate } from './compression.ts';
import { refuseWithoutHost, watchAbort } from './http.ts';

// The web app (client/web), built by Vite into client/web/dist (`npm install` runs the
// build; a checkout without it is built once here at first start), read into memory at
// start-up and served on the API's port: files by their path, the app's index.html for
// every app route, and the same page with 404 for any other path that is not the API's.

const webDir = fileURLToPath(new URL('../../client/web/', import.meta.url));
export const DIST = join(webDir, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const TEXT = /^(text\/|application\/(json|manifest\+json)|image\/svg)/;

export interface StaticFile {
  type: string;
  cacheControl: string;
  etag: string;
  /** Text files, compressed once on first request; binary ones are sent as they are. */
  body: EncodedBody | Buffer;
}

export interface WebApp {
  /** By URL path: `/index.html`, `/assets/index-Ab12.js`. */
  files: Map<string, StaticFile>;
  index: StaticFile;
}

/** Vite puts content-hashed names under assets/: they never change, so caches keep them. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html above all) is checked on every use, so a deploy shows at once. */
const REVALIDATE = 'no-cache';

function readTree(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) readTree(p, out);
    else out.push(p);
  }
  return out;
}

/** Reads a built app from `dist` into memory. */
export function readWebApp(dist: string = DIST): WebApp {
  const files = new Map<string, StaticFile>();
  for (const file of readTree(dist)) {
    const path = `/${relative(dist, file).split(sep).join('/')}`;
    const bytes = readFileSync(file);
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // A content hash as the ETag: the same build gives the same tags on every server.
    const hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 20);
    files.set(path, {
      type,
      cacheControl: path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      etag: `"${hash}"`,
      body: TEXT.test(type) ? new EncodedBody(bytes.toString('utf8')) : bytes,
    });
  }
  const index = files.get('/index.html');
  if (!index) throw new Error(`${dist} has no index.html: run npm run build`);
  return { files, index };
}

/**
 * The built app, building it first when `dist` has none (a checkout that skipped
 * `npm install`'s prepare). Servers starting at once may each build: each writes a
 * directory of its own and renames it into place, and a loser uses the winner's.
 */
export async function loadWebApp(dist: string = DIST, log?: (msg: string) => void): Promise<WebApp> {
  if (!existsSync(join(dist, 'index.html'))) {
    log?.(`no web app in ${dist}: building it (vite build)`);
    const started = Date.now();
    const tmp = `${dist}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      const vite = await import('vite');
      await vite.build({
        configFile: join(webDir, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir: tmp, emptyOutDir: true },
      });
      // Another server's complete build may be there by now: keep it (it may be reading it).
      if (!existsSync(join(dist, 'index.html'))) {
        rmSync(dist, { recursive: true, force: true }); // a partial one, never served
        try {
          renameSync(tmp, dist);
        } catch (e) {
          // Another server's rename came first (the directory is not empty): use that.
          if (!existsSync(join(dist, 'index.html'))) throw e;
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    log?.(`web app built in ${Date.now() - started} ms`);
  }
  return readWebApp(dist);
}

/** Sends `file` with `status`; for HEAD (`bodyless`), its headers and length only. */
function send(
  res: HttpResponse,
  req: HttpRequest,
  file: StaticFile,
  status: string,
  bodyless: boolean,
): void {
  const finish = (r: HttpResponse, bytes: Buffer) =>
    bodyless ? r.endWithoutBody(bytes.length) : r.end(bytes);
  const head = (r: HttpResponse) =>
    r
      .writeStatus(status)
      .writeHeader('content-type', file.type)
      .writeHeader('cache-control', file.cacheControl)
      .writeHeader('etag', file.etag)
      .writeHeader('x-content-type-options', 'nosniff');
  if (status === '200 OK' && req.getHeader('if-none-match') === file.etag) {
    res.cork(() => {
      res.writeStatus('304 Not Modified').writeHeader('cache-control', file.cacheControl);
      res.writeHeader('etag', file.etag).endWithoutBody();
    });
    return;
  }
  if (Buffer.isBuffer(file.body)) {
    const bytes = file.body;
    res.cork(() => finish(head(res), bytes));
    return;
  }
  const encoding = negotiate(req.getHeader('accept-encoding'));
  const abort = watchAbort(res);
  file.body.get(encoding).then((bytes) => {
    if (abort.aborted) return;
    res.cork(() => {
      head(res).writeHeader('vary', 'accept-encoding');
      if (encoding) res.writeHeader('content-encoding', encoding);
      finish(res, bytes);
    });
  });
}

/** Paths that belong to the API (or the raw command interface): never answered with the app. */
const API = /^\/(api|internal)(\/|$)/;

/**
 * GET (and HEAD) for every path no other route took: a file of the app, the app for its own
 * routes (`isAppPath`), else the app's page with 404 (it shows its not-found page). API
 * paths fall through to the server's JSON 404.
 */
export function webRoutes(app: TemplatedApp, web: WebApp, opts: { isAppPath(path: string): boolean }): void {
  const serve = (bodyless: boolean) => (res: HttpResponse, req: HttpRequest) => {
    const path = req.getUrl();
    if (API.test(path)) {
      req.setYield(true); // the next handler: the JSON 404 of app.any('/*')
      return;
    }
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    const file = web.files.get(path);
    if (file && path !== '/index.html') send(res, req, file, '200 OK', bodyless);
    else send(res, req, web.index, opts.isAppPath(path) ? '200 OK' : '404 Not Found', bodyless);
  };
  app.get('/*', serve(false));
  app.head('/*', serve(true));
}
