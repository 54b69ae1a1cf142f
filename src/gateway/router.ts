import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type { Metrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';

// The HTTP plumbing every route shares: copying what uWS only lends during the first
// synchronous part of a handler, abort tracking, size-limited JSON bodies, zod validation,
// authentication and roles, write rate limits, request ids, metrics, and one error shape:
// {error: {code, message}}. A route handler only returns data or throws an HttpError.

export type Role = 'fan' | 'operator' | 'admin' | 'scanner';

export interface User {
  id: string;
  email: string;
  role: Role;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

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
  /** The session's token, when one came with the request. */
  token: string | null;
  user: User | null;
}

export interface Reply {
  status?: number;
  body?: unknown;
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
}

export interface RouterDeps {
  log: Logger;
  metrics: Metrics;
  limiter: RateLimiter;
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
];
const SESSION_COOKIE = 'onsale_session';

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

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

function write(res: HttpResponse, reply: Reply, requestId: string): void {
  res.cork(() => {
    res.writeStatus(statusLine(reply.status ?? 200));
    res.writeHeader('x-request-id', requestId);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.writeHeader(k, v);
    if (reply.body === undefined) {
      res.end();
      return;
    }
    res.writeHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply.body));
  });
}

export function errorReply(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return { status, body: { error: { code, message } }, headers };
}

export class Router {
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
      let badPath = false;
      names.forEach((n, i) => {
        const raw = req.getParameter(i) ?? '';
        try {
          params[n] = decodeURIComponent(raw);
        } catch {
          badPath = true;
          params[n] = raw;
        }
      });
      const headers: Record<string, string> = {};
      for (const h of HEADERS) {
        const v = req.getHeader(h);
        if (v) headers[h] = v;
      }
      const requestId = randomUUID();
      const ctx: RequestContext<B> = {
        method: req.getMethod().toUpperCase(),
        url: req.getUrl(),
        params,
        query: new URLSearchParams(req.getQuery() ?? ''),
        headers,
        ip: remoteIp(res),
        requestId,
        log: log.child({ requestId }),
        body: undefined as B,
        token: sessionToken(headers),
        user: null,
      };
      const hasBody = method !== 'get';
      const body = hasBody
        ? readBody(res, abort, opts.maxBody ?? 64 * 1024)
        : Promise.resolve(Buffer.alloc(0));
      const work = badPath
        ? Promise.reject(new HttpError(400, 'BAD_PATH', 'the path has a malformed percent-escape'))
        : this.handle(ctx, opts, handler, body);
      work
        .catch((e: unknown) => {
          if (e instanceof HttpError) return errorReply(e.status, e.code, e.message, e.headers);
          ctx.log.error({ err: e, route }, 'request failed');
          return errorReply(500, 'INTERNAL', 'the server could not complete the request');
        })
        .then((reply) => {
          const seconds = (performance.now() - started) / 1000;
          metrics.httpRequests.inc({ route, status: String(reply.status ?? 200) });
          metrics.httpLatency.observe({ route }, seconds);
          ctx.log.debug(
            { route, status: reply.status ?? 200, ms: Math.round(seconds * 1e4) / 10 },
            'request',
          );
          if (!abort.aborted) write(res, reply, requestId);
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
      throw new HttpError(
        413,
        'BODY_TOO_LARGE',
        `request bodies are limited to ${opts.maxBody ?? 65536} bytes`,
      );
    if (opts.auth && opts.auth !== 'none') {
      ctx.user = ctx.token ? await this.deps.authenticate(ctx.token) : null;
      if (!ctx.user) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first');
      if (Array.isArray(opts.auth) && !opts.auth.includes(ctx.user.role)) {
        throw new HttpError(403, 'FORBIDDEN', `this needs the role ${opts.auth.join(' or ')}`);
      }
    } else if (ctx.token) {
      ctx.user = await this.deps.authenticate(ctx.token);
    }
    if (opts.write) {
      const wait = this.deps.limiter.take(ctx.ip, ctx.user?.id);
      if (wait > 0) {
        throw new HttpError(429, 'RATE_LIMITED', 'too many requests; slow down', {
          'retry-after': String(Math.ceil(wait)),
        });
      }
    }
    if (opts.body) {
      if (raw.length === 0) throw new HttpError(400, 'BAD_JSON', 'a JSON body is required');
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new HttpError(400, 'BAD_JSON', 'the request body is not valid JSON');
      }
      const parsed = opts.body.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        throw new HttpError(400, 'INVALID_BODY', `${where}${issue?.message ?? 'invalid body'}`);
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
