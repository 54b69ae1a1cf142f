import { inflateRawSync } from 'node:zlib';
import { dispatch } from 'nact';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnsaleHttp, OnsaleSocket, SEAT_STATUS, SeatMap } from '../../client/sdk/index.ts';
import type { ActorMsg } from '../../src/actors/event-runtime.ts';
import {
  EVENT,
  type Gateway,
  http,
  metric,
  RawClient,
  seatNumber,
  seatsOf,
  seatsSnapshot,
  signUp,
  Tap,
  TrackedWebSocket,
  waitFor,
} from './support.ts';

// Mechanism 5 end to end: seat changes reach every watching fan as coalesced, versioned
// deltas within one tick (~50 ms), and a client that misses one (a gap, or the server's
// reset after an actor restart) fetches a fresh snapshot and converges to the server's map.

const { available: AVAILABLE, held: HELD } = SEAT_STATUS;
/** One 50 ms tick plus the journal commit and the loopback, with room for a loaded CI box. */
const WITHIN_A_TICK_MS = 200;

const sleepTick = () => new Promise((r) => setTimeout(r, 120)); // > one 50 ms tick

export function liveSeatMapSuite(server: () => Gateway): void {
  let gw: Gateway;
  beforeAll(() => {
    gw = server();
  });

  const connect = (token?: string, json = false) =>
    OnsaleSocket.connect(gw.wsUrl, { token, json, WebSocket: TrackedWebSocket });

  /** Resolves with the time at which every seat in `seats` shows `status` on the map. */
  function whenStatus(map: SeatMap, seats: number[], status: number, timeoutMs = 3_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const done = () => seats.every((s) => map.status[s] === status);
      if (done()) return resolve(performance.now());
      const timer = setTimeout(() => {
        off();
        reject(new Error(`seats ${seats} never showed status ${status}`));
      }, timeoutMs);
      const off = map.onChange(() => {
        if (!done()) return;
        const at = performance.now();
        clearTimeout(timer);
        off();
        resolve(at);
      });
    });
  }

  /** The map shows exactly the server's snapshot: same version, same bytes. */
  async function expectConverged(map: SeatMap): Promise<void> {
    let snap = await seatsSnapshot(gw);
    await waitFor(
      async () => {
        snap = await seatsSnapshot(gw);
        return map.version === snap.version;
      },
      3_000,
      'the map to reach the server version',
    );
    expect(map.version).toBe(snap.version);
    expect(Buffer.from(map.status).equals(Buffer.from(snap.status))).toBe(true);
  }

  describe('two fans on the live seat map', () => {
    it('given fan B watching, when fan A holds seats over the socket, then B sees them held within a tick; when A releases, B sees them available', async () => {
      const a = await signUp(gw);
      const b = await signUp(gw);
      const sockA = await connect(a.token);
      const sockB = await connect(b.token);
      const mapB = await sockB.subscribe(EVENT);
      const seats = seatsOf(301, 'A', 3);
      const numbers = seats.map((s) => seatNumber(gw, s));
      expect(numbers.map((n) => mapB.status[n])).toEqual([AVAILABLE, AVAILABLE, AVAILABLE]);

      const held = whenStatus(mapB, numbers, HELD);
      const hold = await sockA.hold({ eventId: EVENT, seats });
      const ackedAt = performance.now();
      expect(hold.seats).toEqual(seats);
      expect((await held) - ackedAt).toBeLessThan(WITHIN_A_TICK_MS);
      await expectConverged(mapB);

      const freed = whenStatus(mapB, numbers, AVAILABLE);
      const released = await sockA.release(hold.holdId);
      const releasedAt = performance.now();
      expect(released).toEqual({ holdId: hold.holdId, released: 3 });
      expect((await freed) - releasedAt).toBeLessThan(WITHIN_A_TICK_MS);
      await expectConverged(mapB);
      expect(sockB.resyncs).toBe(0);
    });

    it('given an anonymous msgpack watcher and a JSON watcher, when a fan holds over HTTP, then both see the hold within a tick and end on the same map', async () => {
      const a = await signUp(gw);
      const binary = await connect();
      const json = await connect(undefined, true);
      const [mapBin, mapJson] = await Promise.all([binary.subscribe(EVENT), json.subscribe(EVENT)]);
      const seats = seatsOf(302, 'B', 2);
      const numbers = seats.map((s) => seatNumber(gw, s));

      const seen = Promise.all([whenStatus(mapBin, numbers, HELD), whenStatus(mapJson, numbers, HELD)]);
      const hold = await new OnsaleHttp(gw.url, { token: a.token }).hold({ eventId: EVENT, seats });
      const ackedAt = performance.now();
      for (const at of await seen) expect(at - ackedAt).toBeLessThan(WITHIN_A_TICK_MS);
      await expectConverged(mapBin);
      await expectConverged(mapJson);
      expect(Buffer.from(mapJson.status).equals(Buffer.from(mapBin.status))).toBe(true);

      await new OnsaleHttp(gw.url, { token: a.token }).release(hold.holdId);
      await whenStatus(mapJson, numbers, AVAILABLE);
    });

    it('given a raw socket subscribed, when a hold commits, then one delta frame arrives whose from..to follows the snapshot version and names the seats as held', async () => {
      const a = await signUp(gw);
      const raw = await RawClient.open(gw);
      raw.send({ t: 'sub', e: EVENT });
      const snap = await raw.take((m) => m.t === 'snap');
      expect(snap.e).toBe(EVENT);
      const seats = seatsOf(303, 'C', 2);
      await new OnsaleHttp(gw.url, { token: a.token }).hold({ eventId: EVENT, seats });
      const delta = await raw.take((m) => m.t === 'delta');
      expect(delta.e).toBe(EVENT);
      expect(delta.f).toBe((snap.v as number) + 1);
      expect(delta.v).toBeGreaterThanOrEqual(delta.f as number);
      const pairs = delta.s as number[];
      const changed = new Map<number, number>();
      for (let i = 0; i < pairs.length; i += 2) changed.set(pairs[i], pairs[i + 1]);
      for (const s of seats) expect(changed.get(seatNumber(gw, s))).toBe(HELD);
    });
  });

  describe('gaps and resynchronisation', () => {
    it('given a SeatMap at version 5, then a delta from 7 is a gap, one ending at 5 is stale, and an overlapping one applies', () => {
      const map = new SeatMap(EVENT);
      expect(map.applyDelta(0, 1, [0, HELD], [])).toBe('gap'); // no snapshot yet
      map.applySnapshot(5, new Uint8Array(4), [10]);
      expect(map.applyDelta(7, 8, [1, HELD], [])).toBe('gap');
      expect(map.applyDelta(3, 5, [1, HELD], [])).toBe('stale');
      expect([...map.status, map.version]).toEqual([0, 0, 0, 0, 5]);
      expect(map.applyDelta(4, 6, [1, HELD, 2, SEAT_STATUS.booked], [0, 9])).toBe('applied');
      expect([...map.status, map.version, ...map.areas]).toEqual([0, HELD, SEAT_STATUS.booked, 0, 6, 9]);
    });

    it('given a socket that loses one delta frame, when the next delta shows the gap, then the SDK sends resync and the map converges to the /seats snapshot', async () => {
      const a = await signUp(gw);
      const http = new OnsaleHttp(gw.url, { token: a.token });
      const tap = new Tap();
      const sock = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: tap.WebSocket });
      const map = await sock.subscribe(EVENT);
      const first = seatsOf(304, 'D', 2).map((s) => seatNumber(gw, s));
      const second = seatsOf(305, 'E', 2).map((s) => seatNumber(gw, s));

      // The network eats the next delta.
      tap.drop = (m) => m.t === 'delta' && tap.dropped.length === 0;
      await http.hold({ eventId: EVENT, seats: seatsOf(304, 'D', 2) });
      await waitFor(() => tap.dropped.length === 1, 3_000, 'the delta to be dropped');
      const lost = tap.dropped[0];
      expect(map.version).toBe((lost.f as number) - 1);
      expect(first.map((n) => map.status[n])).toEqual([AVAILABLE, AVAILABLE]);
      expect(tap.sent.filter((m) => m.t === 'resync')).toEqual([]);

      await http.hold({ eventId: EVENT, seats: seatsOf(305, 'E', 2) });
      await waitFor(() => sock.resyncs === 1 && map.version >= (lost.v as number), 3_000, 'the resync');
      expect(tap.sent.filter((m) => m.t === 'resync')).toEqual([{ t: 'resync', e: EVENT }]);
      // The seats of the lost delta are only known from the fresh snapshot.
      await expectConverged(map);
      expect(first.map((n) => map.status[n])).toEqual([HELD, HELD]);
      expect(second.map((n) => map.status[n])).toEqual([HELD, HELD]);
      expect(sock.resyncs).toBe(1);
    });

    it('given a delta that overtakes the first snapshot, then the SDK ignores it instead of resynchronising (the snapshot already contains it)', async () => {
      const tap = new Tap();
      const sock = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: tap.WebSocket });
      const subscribed = sock.subscribe(EVENT);
      // Before the snapshot is even on its way back.
      tap.inject({ t: 'delta', e: EVENT, f: 1, v: 1, s: [0, HELD], a: [] });
      const map = await subscribed;
      await expectConverged(map);
      expect(sock.resyncs).toBe(0);
      expect(tap.sent.filter((m) => m.t === 'resync')).toEqual([]);
    });

    it('given two subscribes to one event before its snapshot arrived, then both resolve with the same map', async () => {
      const sock = await connect();
      const [m1, m2] = await Promise.all([sock.subscribe(EVENT), sock.subscribe(EVENT)]);
      expect(m1).toBe(m2);
      expect(m1.version).toBeGreaterThanOrEqual(0);
    });

    it('given subscribers arriving between two deltas, then they share one snapshot frame (one read, one deflate); after the next delta a newcomer gets a fresh one at the newer version', async () => {
      const frames = async () =>
        metric((await http(gw, 'GET', '/metrics')).text, 'onsale_snapshot_bytes_count') ?? 0;
      const a = await signUp(gw);
      // A change first, so that any earlier frame is gone and this test starts on a fresh one.
      const first = await new OnsaleHttp(gw.url, { token: a.token }).hold({
        eventId: EVENT,
        seats: seatsOf(304, 'A', 1),
      });
      await sleepTick();
      const before = await frames();
      const clients = await Promise.all([0, 1, 2].map(() => RawClient.open(gw)));
      for (const c of clients) c.send({ t: 'sub', e: EVENT });
      const snaps = await Promise.all(clients.map((c) => c.take((m) => m.t === 'snap')));
      expect(await frames()).toBe(before + 1);
      expect(snaps.map((m) => m.v)).toEqual([snaps[0].v, snaps[0].v, snaps[0].v]);
      expect(Buffer.from(snaps[1].z as Uint8Array).equals(Buffer.from(snaps[0].z as Uint8Array))).toBe(true);

      await new OnsaleHttp(gw.url, { token: a.token }).release(first.holdId);
      await clients[0].take((m) => m.t === 'delta'); // published: the shared frame is stale now
      const late = await RawClient.open(gw);
      late.send({ t: 'sub', e: EVENT });
      const fresh = await late.take((m) => m.t === 'snap');
      expect(fresh.v as number).toBeGreaterThan(snaps[0].v as number);
      expect(await frames()).toBe(before + 2);
      await Promise.all([...clients, late].map((c) => c.close()));
    });

    it('given a raw socket, when it sends resync, then it gets a snapshot equal to GET /seats, in msgpack and in JSON', async () => {
      const bin = await RawClient.open(gw);
      const json = await RawClient.open(gw, { json: true });
      bin.send({ t: 'resync', e: EVENT });
      json.send({ t: 'resync', e: EVENT });
      const [sb, sj] = [await bin.take((m) => m.t === 'snap'), await json.take((m) => m.t === 'snap')];
      const server = await seatsSnapshot(gw);
      expect(sb.v).toBe(server.version);
      expect(sj.v).toBe(server.version);
      // Binary frames carry the statuses deflated (raw DEFLATE), JSON frames as base64.
      expect(sb.s).toBeUndefined();
      expect(inflateRawSync(sb.z as Uint8Array).equals(Buffer.from(server.status))).toBe(true);
      expect((sb.z as Uint8Array).byteLength).toBeLessThan(server.status.byteLength / 4);
      expect(Buffer.from(sj.s as string, 'base64').equals(Buffer.from(server.status))).toBe(true);
      expect(sb.a).toEqual(sj.a);
    });

    it('given watchers, when the event actor crashes and recovers, then the server sends reset, the SDK resyncs and every map converges; holds work again', async () => {
      const a = await signUp(gw);
      const tap = new Tap();
      const sock = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: tap.WebSocket });
      const map = await sock.subscribe(EVENT);
      const raw = await RawClient.open(gw);
      raw.send({ t: 'sub', e: EVENT });
      await raw.take((m) => m.t === 'snap');
      const before = sock.resyncs;

      const handle = gw.server.directory.get(EVENT)!;
      dispatch(handle.ref, {
        kind: 'fatal',
        error: new Error('crash injected by the gateway suite'),
      } as ActorMsg);

      const reset = await raw.take((m) => m.t === 'reset', 10_000);
      expect(reset).toEqual({ t: 'reset', e: EVENT, v: (await seatsSnapshot(gw)).version });
      await waitFor(() => tap.sent.some((m) => m.t === 'resync'), 5_000, 'the SDK to resync');
      expect(tap.received.some((m) => m.t === 'reset' && m.e === EVENT)).toBe(true);
      expect(sock.resyncs).toBe(before + 1);
      await expectConverged(map);

      // The recovered actor takes holds, and the watchers see them.
      const seats = seatsOf(306, 'F', 2);
      const numbers = seats.map((s) => seatNumber(gw, s));
      const seen = whenStatus(map, numbers, HELD);
      await new OnsaleHttp(gw.url, { token: a.token }).hold({ eventId: EVENT, seats });
      await seen;
      await expectConverged(map);
    });
  });
}
