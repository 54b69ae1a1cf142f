import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_EVENT_ID } from '../../src/demo.ts';
import type { Server } from '../../src/server.ts';
import { request } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The waiting room through the real server in-process (uWS, PGlite in a temp dir, the demo
// stadium): operator switch, join, status/heartbeat, the lottery at opening, the access
// token on the hold path, and the "now serving" broadcast on the queue topic.

const ADMIN = { email: 'wr-admin@example.com', password: 'admin-password-1' };
const EV = DEMO_EVENT_ID;

// biome-ignore lint/suspicious/noExplicitAny: reply bodies of many shapes
type Body = any;

const call = request;

describe('waiting room over HTTP', () => {
  let server: Server;
  let url: string;
  let admin: string;
  const fans: string[] = [];

  let t: TestServer | undefined;
  const boot = async () => {
    t = t
      ? await t.restart()
      : await startTestServer({
          ONSALE_DEMO: '1',
          ONSALE_ADMIN_EMAIL: ADMIN.email,
          ONSALE_ADMIN_PASSWORD: ADMIN.password,
        });
    ({ server, url } = t);
  };

  beforeAll(async () => {
    await boot();
    const login = await call(url, 'POST', '/api/accounts/login', { json: ADMIN });
    expect(login.status).toBe(200);
    admin = login.body.token;
    for (let i = 0; i < 6; i++) {
      const r = await call(url, 'POST', '/api/accounts/register', {
        json: { email: `wr-fan${i}@example.com`, password: 'fan-password-1' },
      });
      expect(r.status).toBe(201);
      fans.push(r.body.token);
    }
  });

  afterAll(async () => {
    await t?.stop();
  });

  const hold = (token: string, access?: string) =>
    call(url, 'POST', '/api/holds', {
      token,
      json: { eventId: EV, best: { count: 1 } },
      headers: access ? { 'x-access-token': access } : {},
    });

  it('runs a waiting room end to end', async () => {
    // off: no joining, and holds need no access token
    expect((await call(url, 'POST', `/api/events/${EV}/queue`, { token: fans[0] })).body.error.code).toBe(
      'WAITING_ROOM_OFF',
    );
    const free = await hold(fans[5]);
    expect(free.status, JSON.stringify(free.body)).toBeLessThan(300);

    // only operators and admins switch it on; the body is validated
    expect((await call(url, 'POST', `/api/events/${EV}/queue`)).status).toBe(401);
    const asFan = await call(url, 'PUT', `/api/events/${EV}/queue`, {
      token: fans[0],
      json: { enabled: true, rate: 1000 },
    });
    expect(asFan.status).toBe(403);
    const bad = await call(url, 'PUT', `/api/events/${EV}/queue`, {
      token: admin,
      json: { enabled: true, rate: -1 },
    });
    expect(bad.status).toBe(400);
    const on = await call(url, 'PUT', `/api/events/${EV}/queue`, {
      token: admin,
      json: { enabled: true, rate: 1000 },
    });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ eventId: EV, enabled: true, rate: 1000, saleOpened: false });
    expect(server.rooms.isEnabled(EV)).toBe(true);

    // the broadcast: one figure on the queue topic
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?format=json`);
    const ticks: Body[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.t === 'queue') ticks.push(m);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'qsub', e: EV }));
    await new Promise((r) => setTimeout(r, 50));

    // five fans join before the sale opens: provisional tickets; joining twice keeps the place
    const joined: Body[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(url, 'POST', `/api/events/${EV}/queue`, { token: fans[i] });
      expect(r.status).toBe(201);
      expect(r.headers.get('cache-control')).toBe('no-store');
      joined.push(r.body);
    }
    expect(joined.map((j) => j.ticket)).toEqual([1, 2, 3, 4, 5]);
    expect(joined[0]).toMatchObject({ state: 'prequeue', admitted: false, enabled: true });
    const again = await call(url, 'POST', `/api/events/${EV}/queue`, { token: fans[2] });
    expect(again.status).toBe(200);
    expect(again.body.ticket).toBe(3);

    // status needs the queue token, and only its owner's
    expect((await call(url, 'GET', `/api/events/${EV}/queue`, { token: fans[0] })).status).toBe(400);
    const wrongOwner = await call(url, 'GET', `/api/events/${EV}/queue`, {
      token: fans[1],
      headers: { 'x-queue-token': joined[0].queueToken },
    });
    expect(wrongOwner.body.error.code).toBe('INVALID_QUEUE_TOKEN');

    // while the room is on, holds need an access token
    const refused = await hold(fans[0]);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ACCESS_REQUIRED');

    await expect.poll(() => ticks.at(-1)?.waiting, { timeout: 3000 }).toBe(5);
    expect(ticks.at(-1)).toMatchObject({ t: 'queue', e: EV, serving: 0, rate: 1000, enabled: true });

    // the sale opens (the event's status is the one way): the lottery runs, then admission
    // at 1,000 a second
    const status_ = (token: string, status: string) =>
      call(url, 'PUT', `/api/events/${EV}/status`, { token, json: { status } });
    expect((await status_(fans[0], 'on_sale')).status).toBe(403);
    expect((await status_(admin, 'paused')).status).toBe(200);
    expect(server.rooms.info(EV)).toMatchObject({ saleOpened: false, issued: 5 });
    const opened = await status_(admin, 'on_sale');
    expect(opened.status).toBe(200);
    expect(opened.body.event.status).toBe('on_sale');
    expect((await call(url, 'GET', `/api/events/${EV}`, { token: admin })).body.sale).toBe('open');
    expect(server.rooms.info(EV)).toMatchObject({ saleOpened: true, prequeue: 5 });
    expect(server.rooms.info(EV)?.seed).toMatch(/^[0-9a-f]{32}$/);

    let status: Body;
    await expect
      .poll(
        async () => {
          status = (
            await call(
              url,
              'GET',
              `/api/events/${EV}/queue?token=${encodeURIComponent(joined[0].queueToken)}`,
              {
                token: fans[0],
              },
            )
          ).body;
          return status.state;
        },
        { timeout: 5000, interval: 100 },
      )
      .toBe('admitted');
    expect(status.admitted).toBe(true);
    expect(typeof status.accessToken).toBe('string');
    await expect.poll(() => ticks.at(-1)?.serving, { timeout: 3000 }).toBe(5);

    // the access token opens the hold path, for its owner only
    expect((await hold(fans[1], status.accessToken)).body.error.code).toBe('ACCESS_REQUIRED');
    const held = await hold(fans[0], status.accessToken);
    expect(held.status, JSON.stringify(held.body)).toBeLessThan(300);
    expect(held.body.holdId).toBeDefined();

    // switching the room off lets everyone through again
    const off = await call(url, 'PUT', `/api/events/${EV}/queue`, {
      token: admin,
      json: { enabled: false, rate: 1000 },
    });
    expect(off.body.enabled).toBe(false);
    expect((await hold(fans[3])).status).toBeLessThan(300);
    await expect.poll(() => ticks.at(-1)?.enabled, { timeout: 3000 }).toBe(false);
    ws.close();

    // a restart keeps the room, the places and the tokens
    await boot();
    expect(server.rooms.info(EV)).toMatchObject({ enabled: false, serving: 5, issued: 5, prequeue: 5 });
    const back = await call(url, 'GET', `/api/events/${EV}/queue`, {
      token: fans[0],
      headers: { 'x-queue-token': status.queueToken ?? joined[0].queueToken },
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ ticket: status.ticket, state: 'admitted', enabled: false });
  });

  it('given an event that does not exist, then 404 EVENT_NOT_FOUND on switching its room on, joining and status; nothing is stored, ticked or counted for it', async () => {
    const invented = `invented-${process.pid}`;
    const put = await call(url, 'PUT', `/api/events/${invented}/queue`, {
      token: admin,
      json: { enabled: true, rate: 50 },
    });
    expect(put.status).toBe(404);
    expect(put.body).toEqual({ error: { code: 'EVENT_NOT_FOUND', message: expect.any(String) } });
    const join = await call(url, 'POST', `/api/events/${invented}/queue`, { token: fans[4] });
    expect(join.status).toBe(404);
    expect(join.body.error.code).toBe('EVENT_NOT_FOUND');
    const status = await call(url, 'GET', `/api/events/${invented}/queue?token=whatever`, { token: fans[4] });
    expect(status.status).toBe(404);
    expect(status.body.error.code).toBe('EVENT_NOT_FOUND');
    expect(server.rooms.info(invented)).toBeUndefined();
    const { rows } = await server.db.query('SELECT event_id FROM waiting_rooms WHERE event_id = $1', [
      invented,
    ]);
    expect(rows).toEqual([]);
    await new Promise((r) => setTimeout(r, 300)); // a tick or more
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).not.toContain(invented);
  });

  it('given a draft event, then switching its room on is 409 EVENT_NOT_PUBLISHED and joining 409 WAITING_ROOM_OFF; once published it runs', async () => {
    const drafts = await call(url, 'GET', '/api/events?status=draft&pageSize=1', { token: admin });
    expect(drafts.status).toBe(200);
    const draft = drafts.body.items[0].id as string;
    const put = await call(url, 'PUT', `/api/events/${draft}/queue`, {
      token: admin,
      json: { enabled: true, rate: 50 },
    });
    expect(put.status).toBe(409);
    expect(put.body.error.code).toBe('EVENT_NOT_PUBLISHED');
    expect(server.rooms.info(draft)).toBeUndefined();
    const join = await call(url, 'POST', `/api/events/${draft}/queue`, { token: fans[4] });
    expect(join.status).toBe(409);
    expect(join.body.error.code).toBe('WAITING_ROOM_OFF');

    const published = await call(url, 'PUT', `/api/events/${draft}/status`, {
      token: admin,
      json: { status: 'scheduled' },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const on = await call(url, 'PUT', `/api/events/${draft}/queue`, {
      token: admin,
      json: { enabled: true, rate: 50 },
    });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ eventId: draft, enabled: true });
    const joined = await call(url, 'POST', `/api/events/${draft}/queue`, { token: fans[4] });
    expect(joined.status).toBe(201);
  });
});
