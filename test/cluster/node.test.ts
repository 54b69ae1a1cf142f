import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Directory } from '../../src/actors/directory.ts';
import type { EventPort } from '../../src/actors/event-port.ts';
import { MemoryJournal, MemorySnapshots } from '../../src/actors/memory-ports.ts';
import { ClusterNode, type LocalEvents } from '../../src/cluster/node.ts';
import { placeEvent } from '../../src/cluster/placement.ts';
import { HELD } from '../../src/domain/seat-status.ts';
import { sleep } from '../support/actors.ts';
import { CONFIG, fixtureLayout, PRICES } from '../support/fixture.ts';
import { REDIS_URL, redisAvailable } from '../support/services.ts';

// Cluster members on a real Redis, each with its own actor directory over one shared journal
// (as processes share Postgres): an event runs on one member, the others reach it through the
// bus; when its owner dies or stalls past its lease another takes it over, recovers every
// acknowledged command, and the old owner's appends are fenced off.

const redisUp = await redisAvailable();
const log = pino({ level: 'silent' });
const LEASE_MS = 600;

interface Member {
  node: ClusterNode;
  directory: Directory;
  redis: Redis[];
}

const live: Member[] = [];

function member(id: string, prefix: string, journal: MemoryJournal, snapshots: MemorySnapshots): Member {
  const layout = fixtureLayout();
  const directory = new Directory(
    { journal, snapshots, log },
    {
      specs: async (eventId) =>
        eventId.startsWith('ev')
          ? {
              spec: {
                eventId,
                layout,
                prices: PRICES,
                config: { ...CONFIG, holdTtlMs: 60_000, maxHoldMs: 120_000 },
              },
              meta: {},
            }
          : null,
    },
  );
  const local: LocalEvents = {
    open: (eventId) => directory.event(eventId),
    running: (eventId) => directory.get(eventId),
    stop: (eventId) => directory.stop(eventId),
    ids: () => directory.ids(),
  };
  const redis = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
  const node = new ClusterNode(redis[0], redis[1], local, log, {
    id,
    prefix,
    leaseTtlMs: LEASE_MS,
    memberTtlMs: LEASE_MS,
    requestTimeoutMs: 1_000,
  });
  const m = { node, directory, redis };
  live.push(m);
  return m;
}

/**
 * Cuts the member off Redis: its heartbeat and lease renewals fail from now on, so its key
 * and leases lapse, as they would for a process killed, paused or partitioned away. Its
 * actors run on (a stalled or cut-off owner does not know it lost the event).
 */
function cutOff(m: Member): void {
  m.node.bus.close();
  for (const r of m.redis) r.disconnect();
}

afterEach(async () => {
  for (const m of live.splice(0)) {
    await m.node.close().catch(() => {});
    await m.directory.close().catch(() => {});
    for (const r of m.redis) r.disconnect();
  }
});

const hold = (port: EventPort, holdId: string, fanId: string, seats: number[], key = holdId) =>
  port.submit([{ command: { type: 'hold', holdId, fanId, seats }, key }]);

describe('placement', () => {
  it('given the same members in any order, then every member computes the same owner; a member leaving moves only its events', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `event-${i}`);
    const three = ['a', 'b', 'c'];
    const before = ids.map((e) => placeEvent(e, three));
    expect(ids.map((e) => placeEvent(e, [...three].reverse()))).toEqual(before);
    const counts = three.map((m) => before.filter((o) => o === m).length);
    for (const n of counts) expect(n).toBeGreaterThan(40); // spread, not piled on one
    const after = ids.map((e) => placeEvent(e, ['a', 'c']));
    ids.forEach((_, i) => {
      if (before[i] !== 'b') expect(after[i]).toBe(before[i]);
      else expect(['a', 'c']).toContain(after[i]);
    });
    expect(placeEvent('x', [])).toBeNull();
  });
});

describe.skipIf(!redisUp)('cluster members on Redis', () => {
  const setup = async (n: number) => {
    const prefix = `onsale-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const journal = new MemoryJournal();
    const snapshots = new MemorySnapshots();
    const members = Array.from({ length: n }, (_, i) => member(`m${i}`, prefix, journal, snapshots));
    for (const m of members) await m.node.start();
    return { members, journal };
  };

  it('given an event owned by one member, when fans on the others hold seats, then the owner’s actor takes every hold, in one seat map, and a taken seat is refused everywhere', async () => {
    const { members } = await setup(3);
    const ports = await Promise.all(members.map((m) => m.node.port('ev-a')));
    const owners = members.filter((m) => m.directory.get('ev-a'));
    expect(owners).toHaveLength(1);
    const owner = owners[0];
    expect(await owner.node.leases.owner('ev-a')).toBe(owner.node.id);
    const results = await Promise.all(ports.map((p, i) => hold(p!, `h${i}`, `fan${i}`, [i])));
    for (const [r] of results) expect(r.ok).toBe(true);
    const [twice] = await hold(ports[1]!, 'h-again', 'fan9', [0]);
    expect(twice.ok ? 'held' : twice.error.code).toBe('SEAT_UNAVAILABLE');
    const seats = await ports[2]!.query('seatStatuses', {});
    expect([...seats.status.slice(0, 3)]).toEqual([HELD, HELD, HELD]);
    // Only the owner runs it.
    expect(members.filter((m) => m.directory.get('ev-a')).map((m) => m.node.id)).toEqual([owner.node.id]);
    // A retried command answers from the owner's journal, wherever it comes from.
    const [again] = await hold(ports[0]!, 'h1', 'fan1', [1], 'h1');
    expect(again.ok).toBe(true);
    // No such event anywhere: null, and no lease taken for it.
    expect(await members[1].node.port('nope')).toBeNull();
  });

  it('given an owner killed, then another member takes the event within the lease and every acknowledged hold is there', async () => {
    const { members } = await setup(2);
    const [a, b] = members;
    const pa = await a.node.port('ev-b');
    const owner = a.directory.get('ev-b') ? a : b;
    const other = owner === a ? b : a;
    const port = (await other.node.port('ev-b'))!;
    const acked: number[] = [];
    for (let s = 0; s < 6; s++) {
      const [r] = await hold(port, `k${s}`, `f${s}`, [s]);
      if (r.ok) acked.push(s);
    }
    expect(pa).not.toBeNull();
    expect(acked).toHaveLength(6);
    cutOff(owner);
    await owner.directory.close().catch(() => {}); // killed: its actors are gone too
    const t0 = Date.now();
    let taken = false;
    while (Date.now() - t0 < 10_000) {
      const [r] = await hold(port, 'after', 'f-after', [10], 'after');
      if (r.ok) {
        taken = true;
        break;
      }
      await sleep(100);
    }
    const took = Date.now() - t0;
    expect(taken, 'a hold acknowledged after the takeover').toBe(true);
    expect(took).toBeGreaterThan(LEASE_MS / 3); // not before the lease could lapse
    expect(took).toBeLessThan(5_000);
    expect(other.directory.get('ev-b')).toBeDefined();
    const seats = await port.query('seatStatuses', {});
    for (const s of acked) expect(seats.status[s]).toBe(HELD);
  });

  it('given an owner stalled past its lease, then the new owner commits and the old one’s appends are refused: it acknowledges nothing after the takeover', async () => {
    const { members } = await setup(2);
    const [a, b] = members;
    await a.node.port('ev-c');
    const owner = a.directory.get('ev-c') ? a : b;
    const other = owner === a ? b : a;
    const stale = owner.directory.get('ev-c')!;
    expect((await hold(stale, 's0', 'f0', [0]))[0].ok).toBe(true);
    // The stall: the owner can no longer renew (cut off from Redis); its lease lapses.
    cutOff(owner);
    await sleep(LEASE_MS + 100);
    const port = (await other.node.port('ev-c'))!;
    const [taken] = await hold(port, 's1', 'f1', [1]);
    expect(taken.ok).toBe(true);
    expect(other.directory.get('ev-c')).toBeDefined();
    // The stalled owner wakes up and tries to commit on its old epoch: refused, nothing acknowledged.
    const [late] = await hold(stale, 's2', 'f2', [2]);
    expect(late.ok).toBe(false);
    const seats = await port.query('seatStatuses', {});
    expect(seats.status[0]).toBe(HELD);
    expect(seats.status[1]).toBe(HELD);
    expect(seats.status[2]).not.toBe(HELD);
  });
});
