import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../src/accounts/session-token.ts';
import type { Server } from '../../src/server.ts';
import { type Res as AnyRes, type RequestOptions, request } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The real server in-process (uWS, PGlite in a temp dir), driven over HTTP with fetch.

const ADMIN = { email: 'root@example.com', password: 'admin-password-1' };
const started: TestServer[] = [];

async function start(extra: Record<string, string> = {}): Promise<{ server: Server; url: string }> {
  // The rate-limit suite sets its own limits; the others keep them out of the way.
  const t = await startTestServer(extra);
  started.push(t);
  return { server: t.server, url: t.url };
}

/** The union of every reply shape these routes send. */
interface Body {
  user: { id: string; email: string; role: string };
  token: string;
  error: { code: string; message: string };
}

type Res = AnyRes & { body: Body };

const call = (url: string, method: string, path: string, opts: RequestOptions = {}): Promise<Res> =>
  request(url, method, path, opts);

/** `name=value` of the Set-Cookie header, ready to send back as Cookie. */
const cookieOf = (r: Res) => (r.headers.get('set-cookie') ?? '').split(';')[0];

let n = 0;
const email = (tag: string) => `${tag}-${++n}@example.com`;

afterAll(async () => {
  // Every server of the file, closed and its directory removed.
  for (const t of started) await t.stop().catch(() => {});
});

describe('accounts over HTTP', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    ({ server, url } = await start({
      ONSALE_ADMIN_EMAIL: ADMIN.email,
      ONSALE_ADMIN_PASSWORD: ADMIN.password,
    }));
  });

  it('register -> me -> logout -> me, with the bearer token', async () => {
    const address = email('Bearer').toUpperCase();
    const reg = await call(url, 'POST', '/api/accounts/register', {
      json: { email: address, password: 'password-1' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toEqual({
      user: { id: expect.any(String), email: address.toLowerCase(), role: 'fan' },
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const setCookie = reg.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain(`onsale_session=${reg.body.token}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain(`Max-Age=${30 * 24 * 60 * 60}`);

    const me = await call(url, 'GET', '/api/accounts/me', { token: reg.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: reg.body.user });

    const out = await call(url, 'POST', '/api/accounts/logout', { token: reg.body.token });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^onsale_session=;.*Max-Age=0/);

    const after = await call(url, 'GET', '/api/accounts/me', { token: reg.body.token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('login -> me -> logout -> me, with the session cookie', async () => {
    const address = email('cookie');
    const reg = await call(url, 'POST', '/api/accounts/register', {
      json: { email: address, password: 'password-1' },
    });
    expect(reg.status).toBe(201);
    const login = await call(url, 'POST', '/api/accounts/login', {
      json: { email: address, password: 'password-1' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual(reg.body.user);
    expect(login.body.token).not.toBe(reg.body.token);
    const cookie = cookieOf(login);
    expect(cookie).toBe(`onsale_session=${login.body.token}`);

    const me = await call(url, 'GET', '/api/accounts/me', { cookie: `theme=dark; ${cookie}` });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(address);

    // Only the SHA-256 of the token is in the database.
    const { rows } = await server.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM sessions WHERE user_id = $1 ORDER BY created_at',
      [reg.body.user.id],
    );
    expect(rows.map((r) => r.token_hash).sort()).toEqual(
      [hashSessionToken(reg.body.token), hashSessionToken(login.body.token)].sort(),
    );

    const out = await call(url, 'POST', '/api/accounts/logout', { cookie });
    expect(out.status).toBe(204);
    expect((await call(url, 'GET', '/api/accounts/me', { cookie })).status).toBe(401);
    // The registration's session is another session, and still works.
    expect((await call(url, 'GET', '/api/accounts/me', { token: reg.body.token })).status).toBe(200);
  });

  it('given no session or a bad one, then 401 with the error shape', async () => {
    for (const opts of [{}, { token: 'A'.repeat(43) }, { cookie: 'onsale_session=nope' }]) {
      const r = await call(url, 'GET', '/api/accounts/me', opts);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    }
    expect((await call(url, 'POST', '/api/accounts/logout')).status).toBe(401);
  });

  it('given a wrong password or an unknown email, then the same 401 INVALID_CREDENTIALS body', async () => {
    const address = email('creds');
    await call(url, 'POST', '/api/accounts/register', { json: { email: address, password: 'password-1' } });
    const wrong = await call(url, 'POST', '/api/accounts/login', {
      json: { email: address, password: 'password-2' },
    });
    const unknown = await call(url, 'POST', '/api/accounts/login', {
      json: { email: email('ghost'), password: 'password-1' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('given a taken email, when registering, then 409 EMAIL_TAKEN', async () => {
    const address = email('dup');
    const first = await call(url, 'POST', '/api/accounts/register', {
      json: { email: address, password: 'password-1' },
    });
    expect(first.status).toBe(201);
    const again = await call(url, 'POST', '/api/accounts/register', {
      json: { email: address.toUpperCase(), password: 'password-2' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { code: 'EMAIL_TAKEN', message: expect.any(String) } });
  });

  it('given bad bodies, then 400 with the error shape', async () => {
    const cases: [{ json?: unknown; raw?: string }, string, RegExp?][] = [
      [{}, 'BAD_JSON'],
      [{ raw: '{"email":' }, 'BAD_JSON'],
      [{ json: { email: 'not-an-email', password: 'password-1' } }, 'INVALID_BODY', /^email: /],
      [{ json: { email: email('short'), password: 'short' } }, 'INVALID_BODY', /^password: /],
      [{ json: { email: email('long'), password: 'p'.repeat(201) } }, 'INVALID_BODY', /^password: /],
      [{ json: { email: email('nopw') } }, 'INVALID_BODY', /^password: /],
      [{ json: ['array'] }, 'INVALID_BODY'],
    ];
    for (const [opts, code, message] of cases) {
      const r = await call(url, 'POST', '/api/accounts/register', opts);
      expect(r.status, JSON.stringify(opts)).toBe(400);
      expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
      if (message) expect(r.body.error.message).toMatch(message);
    }
    const login = await call(url, 'POST', '/api/accounts/login', { json: { email: 'a@b.co' } });
    expect(login.status).toBe(400);
    expect(login.body.error.code).toBe('INVALID_BODY');
  });

  it('given a fan, when changing a role or creating a user, then 403; without a session 401', async () => {
    const fan = await call(url, 'POST', '/api/accounts/register', {
      json: { email: email('fan'), password: 'password-1' },
    });
    const path = `/api/admin/users/${fan.body.user.id}/role`;
    const forbidden = await call(url, 'PUT', path, { token: fan.body.token, json: { role: 'admin' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    const create = await call(url, 'POST', '/api/admin/users', {
      token: fan.body.token,
      json: { email: email('x'), password: 'password-1', role: 'operator' },
    });
    expect(create.status).toBe(403);
    expect((await call(url, 'PUT', path, { json: { role: 'admin' } })).status).toBe(401);
    const me = await call(url, 'GET', '/api/accounts/me', { token: fan.body.token });
    expect(me.body.user.role).toBe('fan');
  });

  it('given the bootstrapped admin, then it promotes a fan (seen at once) and creates operators', async () => {
    const admin = await call(url, 'POST', '/api/accounts/login', { json: ADMIN });
    expect(admin.status).toBe(200);
    expect(admin.body.user).toMatchObject({ email: ADMIN.email, role: 'admin' });

    const fan = await call(url, 'POST', '/api/accounts/register', {
      json: { email: email('promoted'), password: 'password-1' },
    });
    expect((await call(url, 'GET', '/api/accounts/me', { token: fan.body.token })).body.user.role).toBe(
      'fan',
    );
    const promoted = await call(url, 'PUT', `/api/admin/users/${fan.body.user.id}/role`, {
      token: admin.body.token,
      json: { role: 'operator' },
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toEqual({ user: { ...fan.body.user, role: 'operator' } });
    const me = await call(url, 'GET', '/api/accounts/me', { token: fan.body.token });
    expect(me.body.user.role).toBe('operator');

    const missing = await call(url, 'PUT', '/api/admin/users/no-such-user/role', {
      token: admin.body.token,
      json: { role: 'operator' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('USER_NOT_FOUND');
    const badRole = await call(url, 'PUT', `/api/admin/users/${fan.body.user.id}/role`, {
      token: admin.body.token,
      json: { role: 'superuser' },
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.code).toBe('INVALID_BODY');

    const opEmail = email('operator');
    const created = await call(url, 'POST', '/api/admin/users', {
      token: admin.body.token,
      json: { email: opEmail, password: 'operator-pw-1', role: 'operator' },
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email: opEmail, role: 'operator' });
    expect(created.body.token).toBeUndefined();
    const opLogin = await call(url, 'POST', '/api/accounts/login', {
      json: { email: opEmail, password: 'operator-pw-1' },
    });
    expect(opLogin.body.user.role).toBe('operator');
  });

  it('given otherwise valid bodies with a key the API does not know, then 400 INVALID_BODY naming it, and nothing happens', async () => {
    const admin = (await call(url, 'POST', '/api/accounts/login', { json: ADMIN })).body.token;
    const fan = await call(url, 'POST', '/api/accounts/register', {
      json: { email: email('strict-fan'), password: 'password-1' },
    });
    const newcomer = email('strict-new');
    const cases: [string, string, unknown, string?][] = [
      ['POST', '/api/accounts/register', { email: newcomer, password: 'password-1', role: 'admin' }],
      ['POST', '/api/accounts/login', { ...ADMIN, remember: true }],
      [
        'POST',
        '/api/admin/users',
        { email: newcomer, password: 'password-1', role: 'operator', x: 1 },
        admin,
      ],
      ['PUT', `/api/admin/users/${fan.body.user.id}/role`, { role: 'operator', reason: 'x' }, admin],
    ];
    for (const [method, path, json, token] of cases) {
      const r = await call(url, method, path, { json, token });
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body).toEqual({
        error: { code: 'INVALID_BODY', message: expect.stringMatching(/Unrecognized key/) },
      });
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    const login = await call(url, 'POST', '/api/accounts/login', {
      json: { email: newcomer, password: 'password-1' },
    });
    expect(login.status).toBe(401);
    expect((await call(url, 'GET', '/api/accounts/me', { token: fan.body.token })).body.user.role).toBe(
      'fan',
    );
  });

  it('given a body that is not labelled JSON, then 415 UNSUPPORTED_MEDIA_TYPE and no account', async () => {
    const address = email('text-plain');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const r = await fetch(`${url}/api/accounts/register`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify({ email: address, password: 'password-1' }),
      });
      expect(r.status).toBe(415);
      expect(await r.json()).toEqual({
        error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) },
      });
    }
    const login = await call(url, 'POST', '/api/accounts/login', {
      json: { email: address, password: 'password-1' },
    });
    expect(login.status).toBe(401);
  });
});

describe('accounts over HTTP: write rate limit', () => {
  let url: string;

  beforeAll(async () => {
    // 1 write a second per IP, bursts of 2.
    ({ url } = await start({ ONSALE_RATE_IP_PER_SEC: '1' }));
  });

  it('given a burst of sign-ins from one IP, then 429 RATE_LIMITED with retry-after; reads are not limited', async () => {
    const statuses: number[] = [];
    let limited: Res | undefined;
    for (let i = 0; i < 4; i++) {
      const r = await call(url, 'POST', '/api/accounts/login', { json: {} });
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    expect(statuses.slice(0, 2)).toEqual([400, 400]);
    expect(statuses.slice(2)).toEqual([429, 429]);
    expect(limited!.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const reg = await call(url, 'POST', '/api/accounts/register', {
      json: { email: email('limited'), password: 'password-1' },
    });
    expect(reg.status).toBe(429);
    expect((await call(url, 'GET', '/api/accounts/me')).status).toBe(401);
  });
});
