import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeEvent } from '../../src/cluster/placement.ts';
import { postgresAvailable, REDIS_URL, redisAvailable } from '../support/services.ts';
import { type Fan, ordinarySeats, type ShopEvent, until } from '../support/shop.ts';
import { CuttableProxy } from '../support/tcp-proxy.ts';
import { Members } from './members.ts';

// Redis unreachable from the event's owner (its link runs through a TCP proxy the test can
// cut): the owner keeps serving its own event, the other member's calls to it fail fast and
// clearly (503 UNAVAILABLE, retryable), and when the link is back everything works again.

const ADMIN = { email: 'outage-admin@example.com', password: 'admin-password-1' };
const up = (await postgresAvailable()) && (await redisAvailable());
const LEASE_MS = 4_000;

describe.skipIf(!up)('cluster mode: Redis unreachable from the owner', () => {
  const cluster = new Members('outage', {
    ONSALE_LEASE_MS: String(LEASE_MS),
    ONSALE_ADMIN_EMAIL: ADMIN.email,
    ONSALE_ADMIN_PASSWORD: ADMIN.password,
    ONSALE_RATE_IP_PER_SEC: '100000',
    ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
  });
  const { shops } = cluster;
  const target = new URL(REDIS_URL);
  const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 6379) });
  let ev: ShopEvent;
  let fans: Fan[];

  beforeAll(async () => {
    await proxy.open();
    // o0 reaches Redis through the proxy; o1 directly.
    await cluster.start('o0', { ONSALE_REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    await cluster.start('o1');
    const admin = await shops[0].login(ADMIN.email, ADMIN.password);
    // An event id that placement gives to o0 (the member behind the proxy).
    let id = 'outage';
    for (let n = 0; placeEvent(id, ['o0', 'o1']) !== 'o0'; n++) id = `outage-${n}`;
    ev = await shops[0].openEvent(admin, id);
    fans = await shops[0].registerFans('outage', 4);
  }, 120_000);

  afterAll(() => cluster.stop());

  it('given the owner cut off from Redis, then it keeps serving its event, the other member fails fast with UNAVAILABLE, and all is well again once the link is back', async () => {
    // The event placed (on o0: its id was chosen so) by a first hold.
    const seats = ordinarySeats(ev.layout, 6);
    expect((await shops[1].hold(fans[0].token, ev.id, [seats[0]])).status).toBe(201);
    const admin = await shops[1].login(ADMIN.email, ADMIN.password);
    const leases = (await shops[1].call('GET', '/api/cluster', { token: admin })).body.leases;
    expect(leases.find((l: { eventId: string }) => l.eventId === ev.id).owner).toBe('o0');
    await proxy.cut();
    // The owner serves its own event without Redis.
    const t0 = Date.now();
    const local = await shops[0].hold(fans[1].token, ev.id, [seats[1]]);
    expect(local.status, local.text).toBe(201);
    // The other member cannot reach the owner: a clear, fast, retryable refusal.
    const remote = await shops[1].hold(fans[2].token, ev.id, [seats[2]]);
    const tookMs = Date.now() - t0;
    expect(remote.status, remote.text).toBe(503);
    expect(remote.body.error.code).toBe('UNAVAILABLE');
    expect(tookMs, 'failing fast, well inside the lease').toBeLessThan(LEASE_MS);
    // The link back within the lease: the owner renews and the bus works again.
    await proxy.restore();
    const again = await until(
      () => shops[1].hold(fans[2].token, ev.id, [seats[2]]),
      (r) => r.status === 201,
      {
        timeoutMs: 15_000,
        intervalMs: 200,
        what: 'a remote hold after the link came back',
        describe: (r) => `${r.status} ${r.text}`,
      },
    );
    expect(again.status).toBe(201);
    const status = await shops[1].seatStatuses(ev.id);
    for (const s of seats.slice(0, 3)) expect(status[ev.layout.seatIndex.get(s)!]).toBe(1);
  }, 60_000);
});
