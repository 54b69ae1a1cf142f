import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeltaBatch, DeltaSink } from '../../src/actors/ports.ts';
import { ClusterFanout } from '../../src/cluster/fanout.ts';
import { clusterKeys } from '../../src/cluster/keys.ts';
import { REDIS_URL, redisAvailable } from '../support/services.ts';

// The fan-out's channels on a real Redis: a member hears an event's sharded channel only
// while fans there watch the event, from the moment follow() resolves; it leaves the
// channel when nobody watches any more, and a subscription that failed (Redis away) is
// made again by the sweep.

const up = await redisAvailable();

/** Waits until `ok` holds (polled every 20 ms), failing the test after `ms`. */
async function until(ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function batch(eventId: string, v: number): DeltaBatch {
  return { eventId, fromVersion: v, toVersion: v, seats: [v, 1], areas: [], committedAt: 0 };
}

class Recorder implements DeltaSink {
  got: string[] = [];
  publish(b: DeltaBatch): void {
    this.got.push(`${b.eventId}@${b.toVersion}`);
  }
  reset(eventId: string, version: number): void {
    this.got.push(`reset ${eventId}@${version}`);
  }
}

describe.skipIf(!up)('cluster fan-out channels', () => {
  const keys = clusterKeys(`onsale-test-channels-${process.pid}-${Date.now().toString(36)}`);
  const conns: Redis[] = [];
  const open = () => {
    const r = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      enableOfflineQueue: false,
    });
    conns.push(r);
    return r;
  };
  let owner: ClusterFanout;
  let gateway: ClusterFanout;
  const heard = new Recorder();
  const watching = new Set<string>();
  let gatewaySub: Redis;
  /** Asks Redis who listens (PUBSUB SHARDCHANNELS / SHARDNUMSUB). */
  let probe: Redis;

  beforeAll(async () => {
    const [pub1, sub1, pub2] = [open(), open(), open()];
    gatewaySub = open();
    probe = open();
    await Promise.all(conns.map((c) => c.connect()));
    owner = new ClusterFanout(pub1, sub1, keys, 'owner');
    gateway = new ClusterFanout(pub2, gatewaySub, keys, 'gateway');
    gateway.listen(
      heard,
      { deltasFor: (e) => watching.has(e), wanted: (e) => watching.has(e) },
      undefined,
      100,
    );
  });

  afterAll(() => {
    owner.close();
    gateway.close();
    for (const c of conns) c.disconnect();
  });

  const local = new Recorder();
  const publish = (eventId: string, v: number) => owner.sink(local).publish(batch(eventId, v));

  it('given no fan watching, then nothing of the event reaches the member', async () => {
    publish('ev-a', 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(heard.got).toEqual([]);
    expect(local.got).toEqual(['ev-a@1']); // the owner's own sockets always get it
    expect(await gateway.following()).toEqual([]);
  });

  it('given a fan starts watching, then every batch published after follow() resolves arrives, and only that event’s', async () => {
    watching.add('ev-a');
    expect(await gateway.follow('ev-a')).toBe(true);
    for (let v = 2; v <= 6; v++) publish('ev-a', v);
    publish('ev-b', 1);
    await until(() => heard.got.length >= 5, 5_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.got).toEqual(['ev-a@2', 'ev-a@3', 'ev-a@4', 'ev-a@5', 'ev-a@6']);
    expect(await gateway.following()).toEqual(['ev-a']);
    const channels = (await probe.call('PUBSUB', 'SHARDCHANNELS', keys.event('*'))) as string[];
    expect(channels).toEqual([keys.event('ev-a')]);
  });

  it('given the last fan leaves, then the sweep leaves the channel and later batches are not heard', async () => {
    watching.delete('ev-a');
    await until(async () => (await gateway.following()).length === 0, 5_000);
    await until(
      async () =>
        ((await probe.call('PUBSUB', 'SHARDNUMSUB', keys.event('ev-a'))) as [string, number])[1] === 0,
      5_000,
    );
    heard.got = [];
    publish('ev-a', 7);
    await new Promise((r) => setTimeout(r, 150));
    expect(heard.got).toEqual([]);
  });

  it('given Redis unreachable when a fan starts watching, then follow() answers false and the sweep subscribes once Redis is back', async () => {
    gatewaySub.disconnect(true); // dropped; ioredis reconnects by itself shortly
    watching.add('ev-c');
    expect(await gateway.follow('ev-c')).toBe(false);
    await until(async () => (await gateway.following()).includes('ev-c'), 5_000);
    heard.got = [];
    publish('ev-c', 1);
    await until(() => heard.got.length === 1, 5_000);
    expect(heard.got).toEqual(['ev-c@1']);
  });
});
