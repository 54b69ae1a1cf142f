import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type OperatorStats, watchDashboard } from '../../client/sdk/operator.ts';
import { OnsaleSocket } from '../../client/sdk/socket.ts';
import { HELD } from '../../src/domain/seat-status.ts';
import { startServerProcess, waitReady } from '../support/server-process.ts';
import {
  dropSchema,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  uniqueSchema,
} from '../support/services.ts';
import { type Fan, ordinarySeats, Shop, type ShopEvent, until } from '../support/shop.ts';
import { Members } from './members.ts';

// Real server processes in cluster mode, on one Postgres schema and one Redis: a fan on any
// process holds seats of an event that another owns, fans on different processes see each
// other's holds live, and when the owner is killed another process takes the event over with
// every acknowledged hold.

const ADMIN = { email: 'cluster-admin@example.com', password: 'admin-password-1' };
const up = (await postgresAvailable()) && (await redisAvailable());
const LEASE_MS = 1_500;

describe.skipIf(!up)('cluster mode: several server processes on Redis and Postgres', () => {
  const cluster = new Members('cluster', {
    ONSALE_LEASE_MS: String(LEASE_MS),
    ONSALE_ADMIN_EMAIL: ADMIN.email,
    ONSALE_ADMIN_PASSWORD: ADMIN.password,
    ONSALE_RATE_IP_PER_SEC: '100000',
    ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
  });
  const { procs, shops } = cluster;
  let ev: ShopEvent;
  let fans: Fan[];

  beforeAll(async () => {
    for (const id of ['p0', 'p1', 'p2']) await cluster.start(id);
    const admin = await shops[0].login(ADMIN.email, ADMIN.password);
    ev = await shops[0].openEvent(admin, 'clustered');
    fans = await shops[1].registerFans('cluster', 6);
  }, 120_000);

  afterAll(() => cluster.stop());

  const killed = new Set<number>();
  /** Which process owns the event now, asked of a live one. */
  const owner = async (): Promise<number> => {
    const shop = shops.find((_, i) => !killed.has(i))!;
    const r = await shop.call('GET', '/api/cluster', {
      token: await shop.login(ADMIN.email, ADMIN.password),
    });
    expect(r.status, r.text).toBe(200);
    const id = r.body.leases.find((l: { eventId: string }) => l.eventId === ev.id)?.owner as string;
    return ['p0', 'p1', 'p2'].indexOf(id);
  };

  it('given fans on every process, then each holds seats of the one event, one process runs it, and a seat taken through one is refused through another', async () => {
    const seats = ordinarySeats(ev.layout, 3);
    const held = await Promise.all(shops.map((s, i) => s.hold(fans[i].token, ev.id, [seats[i]])));
    for (const h of held) expect(h.status, h.text).toBe(201);
    const clash = await shops[2].hold(fans[3].token, ev.id, [seats[0]]);
    expect(clash.status, clash.text).toBe(409);
    expect(clash.body.error.code).toBe('SEAT_UNAVAILABLE');
    const o = await owner();
    expect(o).toBeGreaterThanOrEqual(0);
    for (const s of shops) {
      const status = await s.seatStatuses(ev.id);
      for (const seat of seats) expect(status[ev.layout.seatIndex.get(seat)!]).toBe(HELD);
    }
    // Every member's metrics say whose they are.
    const m = await (await fetch(`${procs[1].url}/metrics`)).text();
    expect(m).toMatch(/onsale_[a-z_]+\{[^}]*member="p1"/);
    // A fan's holds read back through any process.
    const mine = await shops[(o + 1) % 3].holds(fans[0].token);
    expect(mine.body.holds.map((h: { holdId: string }) => h.holdId)).toContain(held[0].body.holdId);
  });

  it('given a fan watching the seat map on one process, then a hold made through another shows within a second', async () => {
    const o = await owner();
    const watcherAt = (o + 1) % 3;
    const holderAt = (o + 2) % 3;
    const sock = await OnsaleSocket.connect(`${procs[watcherAt].url.replace('http', 'ws')}/ws`, {
      WebSocket: WebSocket as never,
    });
    try {
      const map = await sock.subscribe(ev.id);
      const [seat] = ordinarySeats(ev.layout, 1, 20);
      const n = ev.layout.seatIndex.get(seat)!;
      const t0 = Date.now();
      const h = await shops[holderAt].hold(fans[4].token, ev.id, [seat]);
      expect(h.status, h.text).toBe(201);
      await until(
        async () => map.status[n],
        (s) => s === HELD,
        { timeoutMs: 1_000, intervalMs: 10, what: 'the hold on the watcher’s map' },
      );
      console.log(
        `cluster: a hold through p${holderAt} (owner p${o}) reached a watcher on p${watcherAt} in ${Date.now() - t0} ms`,
      );
    } finally {
      sock.close();
    }
  });

  it('given a waiting room on the event, then fans joining through different processes get one ticket sequence, polls through any process admit them, holds need the access token everywhere, and the room’s figures reach sockets on every process', async () => {
    const o = await owner();
    const admin = await shops[0].login(ADMIN.email, ADMIN.password);
    const other = (o + 1) % 3;
    const sock = await OnsaleSocket.connect(`${procs[other].url.replace('http', 'ws')}/ws`, {
      WebSocket: WebSocket as never,
    });
    try {
      const ticks: { rate: number }[] = [];
      sock.onQueue(ev.id, (t) => ticks.push(t));
      await new Promise((r) => setTimeout(r, 200)); // the subscription reaches the server
      const on = await shops[other].call('PUT', `/api/events/${ev.id}/queue`, {
        token: admin,
        json: { enabled: true, rate: 1000 },
      });
      expect(on.status, on.text).toBe(200);
      const joined = await Promise.all(
        [0, 1, 2].map((i) => shops[i].call('POST', `/api/events/${ev.id}/queue`, { token: fans[i].token })),
      );
      for (const j of joined) expect(j.status, j.text).toBe(201);
      const tickets = joined.map((j) => j.body.ticket as number).sort((a, b) => a - b);
      expect(new Set(tickets).size, 'one ticket sequence across processes').toBe(3);
      // Without the access token a hold is refused on every process.
      const [seat] = ordinarySeats(ev.layout, 1, 80);
      for (const s of shops) expect((await s.hold(fans[0].token, ev.id, [seat])).status).toBe(403);
      // Polled through another process than the one joined: admitted, with the token.
      const status = await until(
        async () =>
          (
            await shops[1].call('GET', `/api/events/${ev.id}/queue`, {
              token: fans[0].token,
              headers: { 'x-queue-token': joined[0].body.queueToken },
            })
          ).body,
        (b) => b.admitted === true,
        { timeoutMs: 10_000, what: 'the fan admitted' },
      );
      expect(typeof status.accessToken).toBe('string');
      const held = await shops[2].call('POST', '/api/holds', {
        token: fans[0].token,
        json: { eventId: ev.id, seats: [seat] },
        headers: { 'x-access-token': status.accessToken },
      });
      expect(held.status, held.text).toBe(201);
      await until(
        async () => ticks.some((t) => t.rate > 0),
        (x) => x,
        {
          timeoutMs: 3_000,
          what: 'the room’s figures on a socket of another process',
        },
      );
    } finally {
      sock.close();
      await shops[0].call('PUT', `/api/events/${ev.id}/queue`, {
        token: admin,
        json: { enabled: false, rate: 1000 },
      });
    }
  });

  it('given an operator watching the dashboard on a member that does not own the event, then the figures come from the owner every second: seat counts, the owner’s journal commits, the room, and a hold made through a third member', async () => {
    const o = await owner();
    const watcherAt = (o + 1) % 3;
    const through = (o + 2) % 3;
    const admin = await shops[watcherAt].login(ADMIN.email, ADMIN.password);
    // Over HTTP too, from the owner.
    const first = await shops[watcherAt].call('GET', `/api/events/${ev.id}/dashboard`, { token: admin });
    expect(first.status, first.text).toBe(200);
    const sock = await OnsaleSocket.connect(`${procs[watcherAt].url.replace('http', 'ws')}/ws`, {
      WebSocket: WebSocket as never,
      token: admin,
    });
    try {
      const seen: OperatorStats[] = [];
      const stop = watchDashboard(sock, ev.id, (s) => seen.push(s));
      await until(
        async () => seen.length,
        (n) => n >= 1,
        { timeoutMs: 5_000, what: 'the first figures' },
      );
      const before = seen[seen.length - 1];
      expect(before.seats.held).toBe(first.body.seats.held);
      expect(before.queue, 'the room, kept by the owner').not.toBeNull();
      const [seat] = ordinarySeats(ev.layout, 1, 120);
      const h = await shops[through].hold(fans[4].token, ev.id, [seat]);
      expect(h.status, h.text).toBe(201);
      const after = await until(
        async () => seen[seen.length - 1],
        (s) => s.seats.held === before.seats.held + 1 && s.commitMs.count > 0,
        {
          timeoutMs: 10_000,
          what: 'figures with the new hold and the owner’s commit latencies',
          describe: (s) => JSON.stringify({ held: s.seats.held, commits: s.commitMs }),
        },
      );
      expect(after.e).toBe(ev.id);
      // About once a second, not once per member.
      const n = seen.length;
      await new Promise((r) => setTimeout(r, 2_500));
      expect(seen.length - n).toBeGreaterThanOrEqual(1);
      expect(seen.length - n).toBeLessThanOrEqual(4);
      stop();
    } finally {
      sock.close();
    }
  });

  it('given the owner stalled past its lease (SIGSTOP, then SIGCONT), then another process takes over, the stalled one acknowledges nothing it cannot keep, and the journal never goes back to an older owner', async () => {
    const o = await owner();
    const stalled = procs[o];
    const survivor = shops[(o + 1) % 3];
    const [a, b] = ordinarySeats(ev.layout, 2, 60);
    stalled.child.kill('SIGSTOP');
    try {
      // Sent to the stalled owner: it sits in its socket until the process runs again.
      const toStalled = shops[o].hold(fans[2].token, ev.id, [a]);
      await new Promise((r) => setTimeout(r, LEASE_MS * 2));
      const taken = await until(
        () => survivor.hold(fans[3].token, ev.id, [b]),
        (r) => r.status === 201,
        {
          timeoutMs: 15_000,
          intervalMs: 100,
          what: 'a hold on the new owner',
          describe: (r) => `${r.status} ${r.text}`,
        },
      );
      expect(taken.status).toBe(201);
      expect(await owner()).not.toBe(o);
      stalled.child.kill('SIGCONT');
      const late = await toStalled;
      const status = await survivor.seatStatuses(ev.id);
      // Whatever the woken owner answered, an acknowledgement must be true on the new owner.
      if (late.status === 201) expect(status[ev.layout.seatIndex.get(a)!]).toBe(HELD);
      else expect([409, 503]).toContain(late.status);
      expect(status[ev.layout.seatIndex.get(b)!]).toBe(HELD);
    } finally {
      stalled.child.kill('SIGCONT');
    }
    // One writer at a time: the journal's epochs never go down along its sequence.
    const epochs = await cluster.journalEpochs(ev.id);
    expect(epochs.length).toBeGreaterThan(0);
    for (let i = 1; i < epochs.length; i++) expect(epochs[i]).toBeGreaterThanOrEqual(epochs[i - 1]);
    expect(new Set(epochs).size, 'owners that committed').toBeGreaterThan(1);
  }, 40_000);

  it('given the owner killed, then another process takes the event within 15 s and every acknowledged hold is there', async () => {
    const o = await owner();
    const survivor = shops[(o + 1) % 3];
    const before = await survivor.seatStatuses(ev.id);
    const heldBefore = [...before].flatMap((s, i) => (s === HELD ? [i] : []));
    expect(heldBefore.length).toBeGreaterThan(0);
    procs[o].child.kill('SIGKILL');
    killed.add(o);
    await procs[o].exited;
    const [seat] = ordinarySeats(ev.layout, 1, 40);
    const t0 = Date.now();
    const h = await until(
      () => survivor.hold(fans[5].token, ev.id, [seat]),
      (r) => r.status === 201,
      {
        timeoutMs: 15_000,
        intervalMs: 100,
        what: 'a hold acknowledged by the new owner',
        describe: (r) => `${r.status} ${r.text}`,
      },
    );
    const failoverMs = Date.now() - t0;
    console.log(`cluster: failover after kill -9 of p${o}: ${failoverMs} ms to the first acknowledged hold`);
    expect(h.status).toBe(201);
    const after = await survivor.seatStatuses(ev.id);
    for (const i of heldBefore) expect(after[i], `seat ${i} held before the kill`).toBe(HELD);
    const now = await owner();
    expect(now).not.toBe(o);
  }, 30_000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe.skipIf(!up)('ONSALE_WORKERS: several workers on one port', () => {
  it('given ONSALE_WORKERS=2, then two members share the port, both answer, and a SIGTERM stops them all', async () => {
    const schema = uniqueSchema('workers');
    const port = await freePort();
    const sup = await startServerProcess({
      PORT: String(port),
      ONSALE_WORKERS: '2',
      DATABASE_URL: POSTGRES_URL,
      ONSALE_DB_SCHEMA: schema,
      ONSALE_REDIS_URL: REDIS_URL,
      ONSALE_CLUSTER_PREFIX: `onsale-workers-${process.pid}-${Date.now().toString(36)}`,
      ONSALE_DEMO: '0',
      ONSALE_ADMIN_EMAIL: ADMIN.email,
      ONSALE_ADMIN_PASSWORD: ADMIN.password,
    });
    try {
      await waitReady(sup.url);
      const shop = new Shop(`http://127.0.0.1:${port}`);
      const admin = await shop.login(ADMIN.email, ADMIN.password);
      const seen = await until(
        async () => (await shop.call('GET', '/api/cluster', { token: admin })).body,
        (b) => b.members?.length === 2,
        { timeoutMs: 30_000, intervalMs: 200, what: 'both workers in the cluster' },
      );
      expect(seen.mode).toBe('cluster');
      // Connections spread over both: each answers as itself at least once in a few tries.
      const mes = new Set<string>();
      for (let i = 0; i < 40 && mes.size < 2; i++)
        mes.add(
          (await shop.call('GET', '/api/cluster', { token: admin, headers: { connection: 'close' } })).body
            .me,
        );
      expect(mes.size).toBe(2);
      sup.child.kill('SIGTERM');
      expect(await sup.exited).toBe(0);
    } finally {
      sup.child.kill('SIGKILL');
      await dropSchema(schema);
    }
  }, 90_000);
});
