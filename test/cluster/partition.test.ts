import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeEvent } from '../../src/cluster/placement.ts';
import { type Link, Namespace, netnsAvailable } from '../support/netns.ts';
import { type ServerProcess, startServerProcess, waitReady } from '../support/server-process.ts';
import { POSTGRES_URL, postgresAvailable, REDIS_URL, redisAvailable } from '../support/services.ts';
import { type Fan, ordinarySeats, Shop, type ShopEvent, until } from '../support/shop.ts';
import { CuttableProxy } from '../support/tcp-proxy.ts';
import { Members } from './members.ts';

// A real partition (Colyseus #978's case): the event's owner runs in a network namespace of
// its own and reaches Redis over one veth link, Postgres (and the test, over HTTP) over
// another. The Redis link is taken down: packets are lost, no connection is reset, so the
// owner's Redis calls just hang. Its lease runs out; the other member takes the event (a
// new epoch in Postgres) while the cut-off owner is still serving holds for the same seats.
// Whatever each side acknowledged must be true afterwards, no seat is held twice, the
// journal's epochs never go back, and once the link is back the old owner serves the event
// through the new one.

const ADMIN = { email: 'partition-admin@example.com', password: 'admin-password-1' };
const LEASE_MS = 2_000;
const HELD = 1;
const up = (await postgresAvailable()) && (await redisAvailable()) && netnsAvailable();

/** At most `ms` for a request to the cut-off member: it may sit on a hung Redis call. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

describe.skipIf(!up)('cluster mode: a network partition between the owner and Redis', () => {
  const cluster = new Members('partition', {
    ONSALE_LEASE_MS: String(LEASE_MS),
    ONSALE_ADMIN_EMAIL: ADMIN.email,
    ONSALE_ADMIN_PASSWORD: ADMIN.password,
    ONSALE_RATE_IP_PER_SEC: '100000',
    ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
  });
  let ns: Namespace;
  let redisLink: Link;
  let dbLink: Link;
  const proxies: CuttableProxy[] = [];
  let cutOff: ServerProcess;
  let cutShop: Shop;
  let other: Shop;
  let ev: ShopEvent;
  let fans: Fan[];

  beforeAll(async () => {
    ns = new Namespace('part');
    redisLink = ns.link(0);
    dbLink = ns.link(1);
    // Redis and Postgres listen on loopback: relays on the links' host ends reach them.
    const redis = new URL(REDIS_URL);
    const pgUrl = new URL(POSTGRES_URL);
    const toRedis = new CuttableProxy(
      { host: redis.hostname, port: Number(redis.port || 6379) },
      redisLink.hostIp,
    );
    const toPg = new CuttableProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) }, dbLink.hostIp);
    for (const p of [toRedis, toPg]) {
      await p.open();
      proxies.push(p);
    }
    // The other member first (it migrates the schema), on the host.
    await cluster.start('m1');
    other = cluster.shops[0];
    const inNs = new URL(POSTGRES_URL);
    inNs.hostname = dbLink.hostIp;
    inNs.port = String(toPg.port);
    cutOff = await startServerProcess(
      cluster.env('m0', {
        DATABASE_URL: inNs.toString(),
        ONSALE_REDIS_URL: `redis://${redisLink.hostIp}:${toRedis.port}`,
        HOST: dbLink.nsIp,
      }),
      { prefix: ns.exec(), host: dbLink.nsIp },
    );
    await waitReady(cutOff.url);
    cutShop = new Shop(cutOff.url);
    const admin = await other.login(ADMIN.email, ADMIN.password);
    // An event id that placement gives to m0, the member in the namespace.
    let id = 'partition';
    for (let n = 0; placeEvent(id, ['m0', 'm1']) !== 'm0'; n++) id = `partition-${n}`;
    ev = await other.openEvent(admin, id);
    fans = await other.registerFans('partition', 4);
  }, 120_000);

  afterAll(async () => {
    cutOff?.child.kill('SIGKILL');
    await cutOff?.exited;
    await cluster.stop();
    for (const p of proxies) await p.close();
    ns?.destroy();
  });

  const ownerSeenBy = async (shop: Shop): Promise<string | undefined> => {
    const admin = await shop.login(ADMIN.email, ADMIN.password);
    const r = await shop.call('GET', '/api/cluster', { token: admin });
    return r.body.leases.find((l: { eventId: string }) => l.eventId === ev.id)?.owner;
  };

  it('given the owner cut off from Redis by a downed link while both members take holds on the same seats, then each seat is held once, every acknowledgement is true, and the old owner acknowledges nothing against the new one', async () => {
    const seats = ordinarySeats(ev.layout, 13);
    const [first, ...contested] = seats;
    // The event placed on m0 (in the namespace) by a first hold through it.
    expect((await cutShop.hold(fans[0].token, ev.id, [first])).status).toBe(201);
    expect(await ownerSeenBy(other)).toBe('m0');

    ns.cut(redisLink);
    const acks: { seat: string; by: 'm0' | 'm1'; fan: string }[] = [];
    const refusals: number[] = [];
    // The cut-off owner keeps taking holds (its HTTP link is up) on the contested seats.
    const viaCutOff = (async () => {
      for (const seat of contested) {
        // Cut off or not, it answers promptly: a hold, or a clear refusal.
        const r = await within(cutShop.hold(fans[1].token, ev.id, [seat]), 5_000);
        if (r === 'timeout') throw new Error(`m0 did not answer for seat ${seat} within 5 s`);

        if (r.status === 201) acks.push({ seat, by: 'm0', fan: fans[1].id });
        else {
          expect([409, 503], r.text).toContain(r.status);
          refusals.push(r.status);
        }
        await new Promise((res) => setTimeout(res, LEASE_MS / 4));
      }
    })();
    // The other member asks for the same seats until it owns the event: each is either
    // taken there, or refused because m0 had it first.
    const t0 = Date.now();
    let tookOverMs = Number.NaN;
    for (const seat of contested) {
      const r = await until(
        () => other.hold(fans[2].token, ev.id, [seat]),
        (x) => x.status === 201 || (x.status === 409 && x.body?.error?.code === 'SEAT_UNAVAILABLE'),
        {
          timeoutMs: 20_000,
          intervalMs: 100,
          what: `seat ${seat} through m1`,
          describe: (x) => `${x.status} ${x.text}`,
        },
      );
      if (Number.isNaN(tookOverMs)) tookOverMs = Date.now() - t0;
      if (r.status === 201) acks.push({ seat, by: 'm1', fan: fans[2].id });
    }
    await viaCutOff;
    console.log(
      `partition: m1 answered for the event ${tookOverMs} ms after the Redis link went down; acknowledged by m0 ${acks.filter((a) => a.by === 'm0').length}, by m1 ${acks.filter((a) => a.by === 'm1').length}; m0 refused ${refusals.length} (${[...new Set(refusals)].join(', ')})`,
    );
    expect(tookOverMs).toBeLessThan(15_000);
    expect(await ownerSeenBy(other)).toBe('m1');

    // No seat acknowledged twice.
    const bySeat = new Map<string, number>();
    for (const a of acks) bySeat.set(a.seat, (bySeat.get(a.seat) ?? 0) + 1);
    for (const [seat, n] of bySeat) expect(n, `acknowledgements of seat ${seat}`).toBe(1);
    // Every acknowledgement is true on the new owner, for the fan it was given to.
    const status = await other.seatStatuses(ev.id);
    for (const a of acks)
      expect(status[ev.layout.seatIndex.get(a.seat)!], `seat ${a.seat} (${a.by})`).toBe(HELD);
    for (const fan of [fans[1], fans[2]]) {
      const mine = (await other.call('GET', '/api/holds', { token: fan.token })).body.holds as {
        seats: string[];
      }[];
      const held = new Set(mine.flatMap((h) => h.seats));
      for (const a of acks.filter((x) => x.fan === fan.id))
        expect(held.has(a.seat), `${a.seat} is ${fan.id}'s`).toBe(true);
    }

    // The link back: the old owner has stepped down and serves the event through m1.
    ns.heal(redisLink);
    const late = await until(
      () => cutShop.hold(fans[3].token, ev.id, [first]),
      (x) => x.status === 409 && x.body?.error?.code === 'SEAT_UNAVAILABLE',
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        what: 'm0 forwarding to m1 after the heal',
        describe: (x) => `${x.status} ${x.text}`,
      },
    );
    expect(late.status).toBe(409);
    expect(await ownerSeenBy(cutShop)).toBe('m1');

    // One writer at a time: the journal's epochs never go down along its sequence, and
    // both members committed.
    const epochs = await cluster.journalEpochs(ev.id);
    for (let i = 1; i < epochs.length; i++) expect(epochs[i]).toBeGreaterThanOrEqual(epochs[i - 1]);
    expect(new Set(epochs).size, 'owners that committed').toBeGreaterThan(1);
  }, 120_000);
});
