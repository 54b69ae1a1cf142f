import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OnsaleSocket } from '../../client/sdk/socket.ts';
import { postgresAvailable, redisAvailable } from '../support/services.ts';
import { type Fan, ordinarySeats, type ShopEvent, until } from '../support/shop.ts';
import { Members } from './members.ts';

// Pub/sub is at most once. Two cluster members that drop every other seat-change message
// they hear from each other (fault injection): a fan watching on the member that does not
// own the event misses batches, its client sees the version gaps and resynchronises from a
// snapshot, and its seat map ends byte for byte the owner's: lost messages cost resyncs,
// never a wrong map.

const ADMIN = { email: 'fanout-admin@example.com', password: 'admin-password-1' };
const up = (await postgresAvailable()) && (await redisAvailable());

describe.skipIf(!up)('cluster fan-out with lost messages', () => {
  const cluster = new Members('fanout', {
    ONSALE_ADMIN_EMAIL: ADMIN.email,
    ONSALE_ADMIN_PASSWORD: ADMIN.password,
    ONSALE_RATE_IP_PER_SEC: '100000',
    ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
    ONSALE_FAULT_FANOUT_DROP_EVERY: '2',
  });
  const { procs, shops } = cluster;
  let ev: ShopEvent;
  let fans: Fan[];

  beforeAll(async () => {
    for (const id of ['q0', 'q1']) await cluster.start(id);
    const admin = await shops[0].login(ADMIN.email, ADMIN.password);
    ev = await shops[0].openEvent(admin, 'lossy');
    fans = await shops[0].registerFans('lossy', 10);
  }, 120_000);

  afterAll(() => cluster.stop());

  it('given every other message lost on the way, then the watcher on the other member resynchronises and ends with the owner’s map', async () => {
    // The first hold places the event; the owner is where it runs.
    const seats = ordinarySeats(ev.layout, 40);
    expect((await shops[0].hold(fans[0].token, ev.id, [seats[0]])).status).toBe(201);
    const admin = await shops[0].login(ADMIN.email, ADMIN.password);
    const cluster = (await shops[0].call('GET', '/api/cluster', { token: admin })).body;
    const ownerId = cluster.leases.find((l: { eventId: string }) => l.eventId === ev.id).owner as string;
    const watcher = ownerId === 'q0' ? 1 : 0;
    const sock = await OnsaleSocket.connect(`${procs[watcher].url.replace('http', 'ws')}/ws`, {
      WebSocket: WebSocket as never,
    });
    try {
      const map = await sock.subscribe(ev.id);
      // Holds one at a time, so each is its own batch (and half the batches are lost).
      for (let i = 1; i < 30; i++) {
        const h = await shops[1 - watcher].hold(fans[i % 10].token, ev.id, [seats[i]]);
        expect(h.status, h.text).toBe(201);
        await new Promise((r) => setTimeout(r, 70));
      }
      const same = async () => {
        const truth = await shops[1 - watcher].seatStatuses(ev.id);
        return Buffer.from(truth).equals(Buffer.from(map.status));
      };
      // A lost last batch shows no gap until another comes: hold until the maps agree.
      let extra = 30;
      await until(
        async () => {
          if (await same()) return true;
          await shops[1 - watcher].hold(fans[extra % 10].token, ev.id, [seats[extra++]]);
          await new Promise((r) => setTimeout(r, 150));
          return same();
        },
        (ok) => ok,
        { timeoutMs: 10_000, intervalMs: 50, what: 'the watcher’s map equal to the owner’s' },
      );
      expect(sock.resyncs, 'resynchronisations after lost messages').toBeGreaterThan(0);
      console.log(`fan-out with every other message lost: ${sock.resyncs} resyncs, maps equal`);
    } finally {
      sock.close();
    }
  });
});
