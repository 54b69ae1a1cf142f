import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OnsaleHttp } from '../../client/sdk/http.ts';
import { type OperatorStats, watchDashboard } from '../../client/sdk/operator.ts';
import { OnsaleSocket } from '../../client/sdk/socket.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ordinarySeats, Shop } from '../support/shop.ts';

// The operators' live dashboard against the real server: `osub` on the socket answers with the
// event's figures at once and then about once a second; seats held and sold at the box office
// show up in the counts, the sales and the hold and commit latencies; fans, signed-out sockets
// and unknown events are refused with an error frame; the same figures over HTTP; the chart
// generator's templates.

const ADMIN = { email: 'dash-admin@example.com', password: 'admin-password-1' };

describe('the operator dashboard feed', () => {
  let t: TestServer;
  let shop: Shop;
  let admin: string;
  let fan: string;
  let seats: string[];
  const sockets: OnsaleSocket[] = [];

  const connect = async (token?: string) => {
    const s = await OnsaleSocket.connect(t.wsUrl, { token, WebSocket: WebSocket as never });
    sockets.push(s);
    return s;
  };

  /** Collects the socket's stats of the event, and its error frames. */
  const listen = (s: OnsaleSocket, eventId: string) => {
    const got: OperatorStats[] = [];
    const errors: { code: string }[] = [];
    s.onError = (e) => errors.push(e);
    const stop = watchDashboard(s, eventId, (m) => got.push(m));
    const next = async (done: (m: OperatorStats) => boolean, timeoutMs = 8000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = got.find(done);
        if (m) return m;
        if (Date.now() > end)
          throw new Error(`no such stats in ${got.length}: ${JSON.stringify(got.at(-1))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    return { got, errors, stop, next };
  };

  beforeAll(async () => {
    t = await startTestServer({ ONSALE_ADMIN_EMAIL: ADMIN.email, ONSALE_ADMIN_PASSWORD: ADMIN.password });
    shop = new Shop(t.url);
    admin = await shop.login(ADMIN.email, ADMIN.password);
    const ev = await shop.openEvent(admin, 'dash-gig');
    seats = ordinarySeats(ev.layout, 3);
    [fan] = (await shop.registerFans('dash-fan', 1)).map((f) => f.token);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.stop();
  });

  it('given an operator who subscribes, then stats come at once and then about once a second', async () => {
    const s = await connect(admin);
    const l = listen(s, 'dash-gig');
    const first = await l.next(() => true, 3000);
    expect(first.e).toBe('dash-gig');
    expect(first.sale).toBe('open');
    expect(first.seats.available).toBeGreaterThan(100);
    expect(first.seats.booked).toBe(0);
    expect(first.sales).toMatchObject({ orders: 0, tickets: 0, revenue: 0 });
    const started = Date.now();
    await l.next((m) => m.at > first.at + 2500, 6000);
    // The first answers osub at once; from the second on they follow the feed's 1 s timer.
    const ticks = l.got.slice(1);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    const gaps = ticks.slice(1).map((m, i) => m.at - ticks[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(700);
    expect(Math.max(...gaps)).toBeLessThan(2000);
    expect(Date.now() - started).toBeLessThan(6000);
    l.stop();
    const stopped = l.got.length;
    await new Promise((r) => setTimeout(r, 1600));
    expect(l.got.length, 'no stats after ounsub').toBe(stopped);
  });

  it('given two seats held and sold at the box office, then the counts, sales and latencies show them', async () => {
    const s = await connect(admin);
    const l = listen(s, 'dash-gig');
    const first = await l.next(() => true, 3000);
    const http = new OnsaleHttp(t.url, { token: admin });
    const hold = await http.hold({ eventId: 'dash-gig', seats: seats.slice(0, 2) });
    const held = await l.next((m) => m.seats.held === first.seats.held + 2);
    expect(held.holdMs.count).toBeGreaterThanOrEqual(1);
    expect(held.holdMs.p99).toBeGreaterThan(0);
    expect(held.commitMs.count).toBeGreaterThanOrEqual(1);
    const sold = await t.call('POST', '/api/box-office/orders', {
      token: admin,
      json: { eventId: 'dash-gig', holdIds: [hold.holdId], method: 'cash', email: 'walkup@example.com' },
    });
    expect(sold.status, sold.text).toBe(201);
    const after = await l.next((m) => m.seats.booked === 2 && m.sales.tickets === 2, 10_000);
    expect(after.seats.held).toBe(first.seats.held);
    expect(after.seats.available).toBe(first.seats.available - 2);
    expect(after.sales.orders).toBe(1);
    expect(after.sales.revenue).toBe(sold.body.order.total);
    expect(after.sales.byMinute.at(-1)?.tickets).toBe(2);
    l.stop();

    // The same figures over HTTP.
    const r = await t.call('GET', '/api/events/dash-gig/dashboard', { token: admin });
    expect(r.status, r.text).toBe(200);
    expect(r.body.seats.booked).toBe(2);
    expect(r.body.sales.tickets).toBe(2);
  });

  it('given the waiting room switched on, then the stats carry its rate', async () => {
    const put = await t.call('PUT', '/api/events/dash-gig/queue', {
      token: admin,
      json: { enabled: true, rate: 25 },
    });
    expect(put.status, put.text).toBe(200);
    const s = await connect(admin);
    const l = listen(s, 'dash-gig');
    const m = await l.next((x) => x.queue?.enabled === true);
    expect(m.queue).toMatchObject({ enabled: true, rate: 25, waiting: 0 });
    l.stop();
    await t.call('PUT', '/api/events/dash-gig/queue', { token: admin, json: { enabled: false, rate: 25 } });
  });

  it('given a fan, a signed-out socket or an unknown event, then osub is refused with an error frame', async () => {
    const asFan = listen(await connect(fan), 'dash-gig');
    const anon = listen(await connect(), 'dash-gig');
    const unknown = listen(await connect(admin), 'no-such-event');
    const until = async (errors: { code: string }[]) => {
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 30));
      return errors.map((e) => e.code);
    };
    expect(await until(asFan.errors)).toEqual(['FORBIDDEN']);
    expect(await until(anon.errors)).toEqual(['UNAUTHENTICATED']);
    expect(await until(unknown.errors)).toEqual(['EVENT_NOT_FOUND']);
    await new Promise((r) => setTimeout(r, 1300));
    expect(asFan.got.length + anon.got.length + unknown.got.length).toBe(0);
    const r = await t.call('GET', '/api/events/dash-gig/dashboard', { token: fan });
    expect(r.status).toBe(403);
    const missing = await t.call('GET', '/api/events/nope/dashboard', { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('EVENT_NOT_FOUND');
  });

  it('given the chart templates, then each is a chart of the onsale format and an unknown one is 404', async () => {
    const list = await t.call('GET', '/api/chart-templates', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.templates).toEqual(['theatre', 'arena', 'stadium']);
    const theatre = await t.call('GET', '/api/chart-templates/theatre', { token: admin });
    expect(theatre.status).toBe(200);
    expect(theatre.body.chart.format).toBe('onsale.chart/1');
    expect(theatre.body.chart.sections.length).toBeGreaterThan(0);
    const nope = await t.call('GET', '/api/chart-templates/circus', { token: admin });
    expect(nope.status).toBe(404);
    expect((await t.call('GET', '/api/chart-templates/theatre', { token: fan })).status).toBe(403);
  });
});
