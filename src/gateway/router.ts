import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import { AppError } from '../errors.ts';
import type { Role, User } from '../user.ts';
import { MISSING_HOST } from './http.ts';
import type { Metrics } from './metrics.ts';
import type { WriteLimiter } from './rate-limit.ts';
import { statusLine, statusOf } from './status-codes.ts';

// The HTTP plumbing every route shares: copying what uWS only lends during the first
// synchronous part of a handler, abort tracking, size-limited JSON bodies, zod validation,
// authentication and roles, write rate limits, request ids, metrics, and one error shape:
// {error: {code, message}}. A route handler only returns data or throws an AppError, whose
// code the gateway's one table (status-codes.ts) turns into a status.
//
// Input is checked here, once, before any route sees it, by kind:
// - path parameters are always ids: no C0 control character (U+0000-U+001F) and no DEL,
//   else 400 BAD_PATH (before authentication, so every route answers alike);
// - query parameters and every string (and key) of a JSON body may be free text (a search,
//   a description), so tab, line feed and carriage return pass; NUL (which Postgres cannot
//   store), the other C0 controls and DEL do not: 400 INVALID_QUERY / INVALID_BODY. Ids
//   among them are checked again by the schema or route that reads them;
// - a body goes to a route only as JSON (content-type application/json, else 415) and only
//   through a schema whose every object is strict (checked when the route is registered);
// - an empty Host is 400 MISSING_HOST, and the connection closes (uWS closes requests with no
//   Host at all, and those it cannot parse, before JavaScript sees them: README, gateway).

export interface RequestContext<B = unknown> {
  method: string;
  url: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string>;
  ip: string;
  requestId: string;
  log: Logger;
  body: B;
  /** The body's bytes as they came, on routes with `raw: true` (else null). */
  rawBody: Buffer | null;
  /** The session's token, when one came with the request. */
  token: string | null;
  user: User | null;
}

export interface Reply {
  status?: number;
  /** Sent as JSON (content-type application/json unless `headers` name another). */
  body?: unknown;
  /** Bytes sent as they are, instead of `body` (the route's headers describe them). */
  raw?: Uint8Array | string;
  headers?: Record<string, string>;
}

export interface RouteOptions<B> {
  /** Validates the JSON body; routes without it take no body. */
  body?: ZodType<B>;
  /** Who may call: anyone (default), any signed-in user, or the listed roles. */
  auth?: 'none' | 'user' | Role[];
  /** Counts against the per-IP and per-account write limits. */
  write?: boolean;
  /** Largest body accepted, bytes. */
  maxBody?: number;
  /**
   * Hands the body over unparsed, as bytes in ctx.rawBody, whatever its content type: for
   * webhooks, whose signature covers the exact bytes (re-serialised JSON would not verify).
   * The route checks it itself; not with `body`.
   */
  raw?: boolean;
}

export interface RouterDeps {
  log: Logger;
  metrics: Metrics;
  limiter: WriteLimiter;
  authenticate(token: string): Promise<User | null>;
}

const HEADERS = [
  'authorization',
  'cookie',
  'idempotency-key',
  'if-none-match',
  'content-type',
  'x-forwarded-for',
  'x-access-token',
  'x-queue-token',
  'accept-encoding',
  'host',
  // Payment webhooks' signature (Stripe's format, also the simulator's).
  'stripe-signature',
];
const SESSION_COOKIE = 'onsale_session';

export function sessionToken(headers: Record<string, string>): string | null {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  const cookie = headers.cookie;
  if (!cookie) return null;
  for (const part of cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === SESSION_COOKIE && v) return decodeURIComponent(v);
  }
  return null;
}

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}`;
}

export function remoteIp(res: HttpResponse): string {
  return Buffer.from(res.getRemoteAddressAsText()).toString();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ID_CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const TEXT_RULE = 'text may not hold NUL or control characters other than tab, line feed and carriage return';

/** A name from the request, safe to echo in a message: short, its control characters as "?". */
function shown(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  return s.slice(0, 64).replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** application/json, with parameters (a charset must be UTF-8, the only one JSON has). */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
}

/**
 * Where the first string or key of a parsed JSON value breaks TEXT_RULE ("" for the value
 * itself), or null. Iterative: a 32 MB chart body may nest deeper than the stack goes.
 */
function badText(root: unknown): string | null {
  if (typeof root === 'string') return TEXT_CONTROL.test(root) ? '' : null;
  if (typeof root !== 'object' || root === null) return null;
  const containers: object[] = [root];
  const parent: number[] = [-1];
  const key: (string | number)[] = [''];
  const pathOf = (i: number, last: string | number) => {
    const p: (string | number)[] = [last];
    for (let j = i; j > 0; j = parent[j]) p.push(key[j]);
    return p.reverse().join('.');
  };
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const entries: Iterable<[string | number, unknown]> = Array.isArray(c) ? c.entries() : Object.entries(c);
    for (const [k, v] of entries) {
      if (typeof k === 'string' && TEXT_CONTROL.test(k)) return pathOf(i, k);
      if (typeof v === 'string') {
        if (TEXT_CONTROL.test(v)) return pathOf(i, k);
      } else if (typeof v === 'object' && v !== null) {
        containers.push(v);
        parent.push(i);
        key.push(k);
      }
    }
  }
  return null;
}

/**
 * The first object schema inside `schema` that does not refuse unknown keys, or null. Bodies
 * are documented with `additionalProperties: false`; the router holds every route to it.
 */
function lenientObject(schema: ZodType, path = 'body', seen = new Set<unknown>()): string | null {
  if (seen.has(schema)) return null;
  seen.add(schema);
  // biome-ignore lint/suspicious/noExplicitAny: zod's definitions differ by schema type
  const def = (schema as any)._zod?.def;
  if (!def) return null;
  const inner = (s: unknown, p = path) => (s ? lenientObject(s as ZodType, p, seen) : null);
  switch (def.type) {
    case 'object': {
      if (def.catchall?._zod?.def?.type !== 'never') return path;
      for (const [k, v] of Object.entries(def.shape as Record<string, ZodType>)) {
        const bad = inner(v, `${path}.${k}`);
        if (bad) return bad;
      }
      return null;
    }
    case 'array':
      return inner(def.element, `${path}[]`);
    case 'record':
      return inner(def.valueType, `${path}{}`);
    case 'pipe':
      return inner(def.in) ?? inner(def.out);
    case 'intersection':
      return inner(def.left) ?? inner(def.right);
    case 'union':
      for (const o of def.options as ZodType[]) {
        const bad = inner(o);
        if (bad) return bad;
      }
      return null;
    case 'tuple':
      for (const o of def.items as ZodType[]) {
        const bad = inner(o);
        if (bad) return bad;
      }
      return inner(def.rest);
    default:
      // optional, nullable, default, catch, readonly, …: what they wrap.
      return inner(def.innerType);
  }
}

/** Does an If-None-Match header match `etag` (weak comparison, lists and `*` included)? */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strong = etag.startsWith('W/') ? etag.slice(2) : etag;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === strong || v === `W/${strong}`;
  });
}

function write(res: HttpResponse, reply: Reply, requestId: string, close = false): void {
  // One value per header: the route's override the defaults (content-type above all).
  const headers: Record<string, string> = {};
  if (reply.body !== undefined || reply.raw !== undefined) headers['content-type'] = 'application/json';
  for (const [k, v] of Object.entries(reply.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['x-request-id'] = requestId;
  res.cork(() => {
    res.writeStatus(statusLine(reply.status ?? 200));
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    if (reply.raw !== undefined) res.end(reply.raw, close);
    else if (reply.body !== undefined) res.end(JSON.stringify(reply.body), close);
    else if (close) res.end('', true);
    else res.end();
  });
}

/** The reply for an error: its code's status, {error: {code, message, …details}}, Retry-After. */
export function errorReply(e: AppError): Reply {
  const headers: Record<string, string> = {};
  if (e.extra.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(Math.ceil(e.extra.retryAfterSeconds));
  return {
    status: statusOf(e.code),
    body: { error: { code: e.code, message: e.message, ...e.extra.details } },
    headers,
  };
}

export interface RouteInfo {
  method: string;
  pattern: string;
  /** Names of the path parameters, in order. */
  params: string[];
  /** Takes a JSON body. */
  body: boolean;
  auth: RouteOptions<unknown>['auth'];
  /** Counts against the write limits. */
  write: boolean;
}

export class Router {
  /** Every route registered, in order (tests walk them). */
  readonly routes: RouteInfo[] = [];

  constructor(
    readonly app: TemplatedApp,
    private readonly deps: RouterDeps,
  ) {}

  get<B = undefined>(
    pattern: string,
    opts: RouteOptions<B>,
    handler: (ctx: RequestContext<B>) => Promise<Reply> | Reply,
  ): void {
    this.add('get', pattern, opts, handler);
  }

  post<B>(
    pattern: string,
    opts: RouteOptions<B>,
    handler: (ctx: RequestContext<B>) => Promise<Reply> | Reply,
  ): void {
    this.add('post', pattern, opts, handler);
  }

  put<B>(
    pattern: string,
    opts: RouteOptions<B>,
    handler: (ctx: RequestContext<B>) => Promise<Reply> | Reply,
  ): void {
    this.add('put', pattern, opts, handler);
  }

  delete<B = undefined>(
    pattern: string,
    opts: RouteOptions<B>,
    handler: (ctx: RequestContext<B>) => Promise<Reply> | Reply,
  ): void {
    this.add('del', pattern, opts, handler);
  }

  private add<B>(
    method: 'get' | 'post' | 'put' | 'del',
    pattern: string,
    opts: RouteOptions<B>,
    handler: (ctx: RequestContext<B>) => Promise<Reply> | Reply,
  ): void {
    const names = pattern
      .split('/')
      .filter((p) => p.startsWith(':'))
      .map((p) => p.slice(1));
    const route = `${method === 'del' ? 'DELETE' : method.toUpperCase()} ${pattern}`;
    if (opts.raw && opts.body) throw new Error(`${route}: a raw route takes no body schema`);
    const lenient = opts.body ? lenientObject(opts.body) : null;
    if (lenient) throw new Error(`${route}: ${lenient} accepts unknown keys; make it .strict()`);
    this.routes.push({
      method: route.split(' ')[0],
      pattern,
      params: names,
      body: opts.body !== undefined,
      auth: opts.auth ?? 'none',
      write: opts.write === true,
    });
    const { log, metrics } = this.deps;
    this.app[method](pattern, (res: HttpResponse, req: HttpRequest) => {
      // Everything uWS lends must be copied before the first await.
      const started = performance.now();
      const abort = { aborted: false };
      res.onAborted(() => {
        abort.aborted = true;
      });
      const params: Record<string, string> = {};
      // A malformed escape (`/api/events/%`) must not throw here: this runs in uWS's callback,
      // where an exception would take the whole process down.
      let refused: AppError | null = null;
      names.forEach((n, i) => {
        const raw = req.getParameter(i) ?? '';
        try {
          params[n] = decodeURIComponent(raw);
        } catch {
          refused ??= new AppError('BAD_PATH', 'the path has a malformed percent-escape');
          params[n] = raw;
          return;
        }
        if (ID_CONTROL.test(params[n]))
          refused ??= new AppError('BAD_PATH', `${n}: ids may not hold control characters`);
      });
      const query = new URLSearchParams(req.getQuery() ?? '');
      for (const [k, v] of query) {
        if (TEXT_CONTROL.test(k) || TEXT_CONTROL.test(v))
          refused ??= new AppError('INVALID_QUERY', `${shown(k)}: ${TEXT_RULE}`);
      }
      const headers: Record<string, string> = {};
      for (const h of HEADERS) {
        const v = req.getHeader(h);
        if (v) headers[h] = v;
      }
      // RFC 9112 3.2: a Host without a value gets a 400 (and the connection is not reused).
      const noHost = !headers.host;
      if (noHost) refused = new AppError('MISSING_HOST', MISSING_HOST);
      const requestId = randomUUID();
      const ctx: RequestContext<B> = {
        method: req.getMethod().toUpperCase(),
        url: req.getUrl(),
        params,
        query,
        headers,
        ip: remoteIp(res),
        requestId,
        log: log.child({ requestId }),
        body: undefined as B,
        rawBody: null,
        token: sessionToken(headers),
        user: null,
      };
      const hasBody = method !== 'get';
      const body = hasBody
        ? readBody(res, abort, opts.maxBody ?? 64 * 1024)
        : Promise.resolve(Buffer.alloc(0));
      const work = refused ? Promise.reject(refused) : this.handle(ctx, opts, handler, body);
      work
        .catch((e: unknown) => {
          if (e instanceof AppError) {
            if (statusOf(e.code) === 500) ctx.log.error({ err: e, route }, 'request failed');
            return errorReply(e);
          }
          ctx.log.error({ err: e, route }, 'request failed');
          return errorReply(new AppError('INTERNAL', 'the server could not complete the request'));
        })
        .then((reply) => {
          const seconds = (performance.now() - started) / 1000;
          metrics.httpRequests.inc({ route, status: String(reply.status ?? 200) });
          metrics.httpLatency.observe({ route }, seconds);
          ctx.log.debug(
            { route, status: reply.status ?? 200, ms: Math.round(seconds * 1e4) / 10 },
            'request',
          );
          if (!abort.aborted) write(res, reply, requestId, noHost);
        });
    });
  }

  private async handle<B>(
    ctx: RequestContext<B>,
    opts: RouteOptions<B>,
    handler: (ctx: RequestContext<B>) => Promise<Reply> | Reply,
    bodyPromise: Promise<Buffer | 'too-large'>,
  ): Promise<Reply> {
    const raw = await bodyPromise;
    if (raw === 'too-large')
      throw new AppError('BODY_TOO_LARGE', `request bodies are limited to ${opts.maxBody ?? 65536} bytes`);
    if (opts.auth && opts.auth !== 'none') {
      ctx.user = ctx.token ? await this.deps.authenticate(ctx.token) : null;
      if (!ctx.user) throw new AppError('UNAUTHENTICATED', 'sign in first');
      if (Array.isArray(opts.auth) && !opts.auth.includes(ctx.user.role)) {
        throw new AppError('FORBIDDEN', `this needs the role ${opts.auth.join(' or ')}`);
      }
    } else if (ctx.token) {
      ctx.user = await this.deps.authenticate(ctx.token);
    }
    if (opts.write) {
      const wait = this.deps.limiter.take(ctx.ip, ctx.user?.id);
      if (wait > 0) {
        throw new AppError('RATE_LIMITED', 'too many requests; slow down', { retryAfterSeconds: wait });
      }
    }
    if (opts.raw) ctx.rawBody = raw;
    if (opts.body) {
      if (raw.length === 0) throw new AppError('BAD_JSON', 'a JSON body is required');
      if (!isJson(ctx.headers['content-type'])) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'send the body as JSON, with content-type: application/json',
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('BAD_JSON', 'the request body is not valid JSON');
      }
      const bad = badText(json);
      if (bad !== null) {
        const where = bad ? `${shown(bad)}: ` : '';
        throw new AppError('INVALID_BODY', `${where}${TEXT_RULE}`);
      }
      const parsed = opts.body.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        throw new AppError('INVALID_BODY', `${where}${issue?.message ?? 'invalid body'}`);
      }
      ctx.body = parsed.data;
    }
    return handler(ctx);
  }
}

/** Reads a body of at most `limit` bytes, copying chunks (uWS reuses their memory). */
function readBody(
  res: HttpResponse,
  abort: { aborted: boolean },
  limit: number,
): Promise<Buffer | 'too-large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > limit) {
        done = true;
        resolve('too-large');
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    res.onAborted(() => {
      abort.aborted = true;
      if (!done) {
        done = true;
        resolve(Buffer.alloc(0));
      }
    });
  });
}
