import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_EVENT_ID } from '../../src/demo.ts';
import { CapacityFollower, DEFAULT_POLICY, nextFactor } from '../../src/waiting-room/capacity.ts';
import { request } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Admission that follows the event's spare capacity: the pure back-off rule, the follower
// that counts holds per event, and the real server slowing a room down while its holds
// are slow (journal appends delayed by fault injection).

const P = DEFAULT_POLICY;

describe('nextFactor', () => {
  it('given a window with more than 1% slow holds, then the factor backs off by 0.7, never below the floor', () => {
    expect(nextFactor(1, { holds: 100, slow: 2 }, P)).toBeCloseTo(0.7);
    expect(nextFactor(0.7, { holds: 100, slow: 50 }, P)).toBeCloseTo(0.49);
    expect(nextFactor(0.06, { holds: 100, slow: 100 }, P)).toBe(P.minFactor);
  });

  it('given a fast window, or too few holds to tell, then it creeps back by 0.05 up to 1', () => {
    expect(nextFactor(0.5, { holds: 1000, slow: 10 }, P)).toBeCloseTo(0.55); // exactly 1%: not more
    expect(nextFactor(0.5, { holds: 19, slow: 19 }, P)).toBeCloseTo(0.55);
    expect(nextFactor(0.98, { holds: 0, slow: 0 }, P)).toBe(1);
  });
});

describe('CapacityFollower', () => {
  it('given slow holds of one event, then only that event admits below the configured rate, and it recovers once holds are fast', () => {
    const f = new CapacityFollower(async () => null);
    for (let i = 0; i < 30; i++) f.recordHold('a', 400);
    for (let i = 0; i < 30; i++) f.recordHold('b', 5);
    expect(f.admissionRate('a', 100)).toBeCloseTo(70);
    expect(f.admissionRate('b', 100)).toBe(100);
    for (let i = 0; i < 30; i++) f.recordHold('a', 400);
    expect(f.admissionRate('a', 100)).toBeCloseTo(49);
    for (let i = 0; i < 30; i++) f.recordHold('a', 5);
    expect(f.admissionRate('a', 100)).toBeCloseTo(54);
    expect(f.factor('a')).toBeCloseTo(0.54);
  });

  it('given an event with nothing left to hold, then it admits nobody once that is read (a tick later); seats back, admission back', async () => {
    let left: number | null = 0;
    const f = new CapacityFollower(async () => left);
    const tick = async () => {
      const rate = f.admissionRate('a', 100);
      await new Promise((r) => setImmediate(r)); // the availability read it started settles
      return rate;
    };
    expect(await tick()).toBe(100); // nothing read yet
    expect(await tick()).toBe(0); // sold out, as read at the last tick
    left = 12;
    expect(await tick()).toBe(0); // still the last tick's reading…
    expect(await tick()).toBe(100); // …then the new one
    left = null; // the event is gone: no opinion
    await tick();
    expect(await tick()).toBe(100);
  });
});

describe('a waiting room on the real server follows its event', () => {
  let t: TestServer | undefined;
  afterAll(async () => {
    await t?.stop();
  });

  it('given holds slowed by a 300 ms journal, then the room admits below the operator rate; the broadcast rate follows', async () => {
    const ADMIN = { email: 'cap-admin@example.com', password: 'admin-password-1' };
    t = await startTestServer({
      ONSALE_DEMO: '1',
      ONSALE_ADMIN_EMAIL: ADMIN.email,
      ONSALE_ADMIN_PASSWORD: ADMIN.password,
      ONSALE_FAULT_APPEND_DELAY_MS: '300',
      ONSALE_ADMISSION_SLOW_MS: '100',
    });
    const server = t.server;
    const url = t.url;
    const call = (method: string, path: string, token?: string, json?: unknown, headers = {}) =>
      request(url, method, path, { token, json, headers });
    const admin = (await call('POST', '/api/accounts/login', undefined, ADMIN)).body.token as string;
    const EV = DEMO_EVENT_ID;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?format=json`);
    const ticks: { rate: number }[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.t === 'queue') ticks.push(m);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'qsub', e: EV }));
    expect((await call('PUT', `/api/events/${EV}/queue`, admin, { enabled: true, rate: 200 })).status).toBe(
      200,
    );
    const fans: { token: string; queueToken: string }[] = [];
    for (let i = 0; i < 24; i++) {
      const reg = await call('POST', '/api/accounts/register', undefined, {
        email: `cap-fan${i}@example.com`,
        password: 'fan-password-1',
      });
      const joined = await call('POST', `/api/events/${EV}/queue`, reg.body.token);
      fans.push({ token: reg.body.token, queueToken: joined.body.queueToken });
    }
    // The demo sale is open already: pause it and put it on sale again, which runs the lottery.
    expect((await call('PUT', `/api/events/${EV}/status`, admin, { status: 'paused' })).status).toBe(200);
    expect((await call('PUT', `/api/events/${EV}/status`, admin, { status: 'on_sale' })).status).toBe(200);
    const info = () => server!.rooms.info(EV)!;
    expect(info()).toMatchObject({ rate: 200, effectiveRate: 200 });

    // Every fan is admitted within a tick or two at 200/s, then holds one seat: each hold
    // waits 300 ms for its journal batch.
    const access: string[] = [];
    for (const f of fans) {
      await expect
        .poll(
          async () => {
            const s = await call(
              'GET',
              `/api/events/${EV}/queue?token=${encodeURIComponent(f.queueToken)}`,
              f.token,
            );
            return s.body.accessToken as string | undefined;
          },
          { timeout: 5000, interval: 50 },
        )
        .toBeDefined();
      const s = await call(
        'GET',
        `/api/events/${EV}/queue?token=${encodeURIComponent(f.queueToken)}`,
        f.token,
      );
      access.push(s.body.accessToken);
    }
    const holds = await Promise.all(
      fans.map((f, i) =>
        call(
          'POST',
          '/api/holds',
          f.token,
          { eventId: EV, best: { count: 1 } },
          { 'x-access-token': access[i] },
        ),
      ),
    );
    expect(
      holds.map((h) => h.status),
      JSON.stringify(holds[0].body),
    ).toEqual(fans.map(() => 201));
    await expect.poll(() => info().effectiveRate, { timeout: 2000, interval: 20 }).toBeLessThan(200);
    const { effectiveRate } = info();
    expect(effectiveRate).toBeCloseTo(200 * DEFAULT_POLICY.backoff, 5);
    // Fans waiting hear the slower rate in the one shared broadcast (their ETAs follow).
    await expect.poll(() => ticks.some((t) => t.rate < 200), { timeout: 2000, interval: 20 }).toBe(true);
    // Quiet (no slow holds) from here: it creeps back to the operator's rate.
    await expect.poll(() => info().effectiveRate, { timeout: 5000, interval: 50 }).toBe(200);
    ws.close();
  }, 60_000);
});
