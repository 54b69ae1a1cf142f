import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Directory } from '../actors/directory.ts';
import { ClusterFanout } from './fanout.ts';
import { type ClusterKeys, clusterKeys } from './keys.ts';
import { ClusterLocator } from './locator.ts';
import { ClusterNode } from './node.ts';

// Cluster mode for one server process: three Redis connections (commands; the bus's
// subscriber; the fan-out's sharded subscriber, apart because leaving its last shard
// channel ends subscriber mode on its connection as the client sees it, which would lose the
// bus's inbox), this member's node over the process's directory, the fan-out of seat
// changes, and the locator the rest of the server finds events with.

export interface Cluster {
  node: ClusterNode;
  fanout: ClusterFanout;
  locator: ClusterLocator;
  close(): Promise<void>;
}

export interface ClusterConfig {
  redisUrl: string;
  prefix: string;
  id?: string;
  leaseMs: number;
  sockets: () => number;
  /** Fault injection (tests): drop every Nth seat-change message heard. */
  dropEvery?: number;
}

/** The cluster's Redis connections and names, opened before anything else needs them. */
export interface ClusterLink {
  redis: Redis;
  sub: Redis;
  /** The fan-out's SSUBSCRIBE connection. */
  shardSub: Redis;
  keys: ClusterKeys;
  id: string;
}

export async function connectCluster(cfg: ClusterConfig, log: Logger): Promise<ClusterLink> {
  const options = { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: true };
  // A command unanswered this long fails: across a partition (packets lost, no reset) the
  // connection looks alive and a lease lookup or renewal would otherwise hang for as long as
  // TCP takes to give up (minutes), and so would the fan's request behind it.
  const commandTimeout = Math.min(Math.max(cfg.leaseMs / 2, 500), 5_000);
  const redis = new Redis(cfg.redisUrl, { ...options, commandTimeout });
  const sub = new Redis(cfg.redisUrl, { ...options, maxRetriesPerRequest: null });
  const shardSub = new Redis(cfg.redisUrl, { ...options, maxRetriesPerRequest: null });
  for (const r of [redis, sub, shardSub])
    r.on('error', (err) => log.warn({ err: err.message }, 'cluster: Redis'));
  await Promise.all([redis.connect(), sub.connect(), shardSub.connect()]);
  const id = cfg.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return { redis, sub, shardSub, keys: clusterKeys(cfg.prefix), id };
}

export async function startCluster(
  link: ClusterLink,
  cfg: ClusterConfig,
  directory: Directory<unknown>,
  log: Logger,
): Promise<Cluster> {
  const { redis, sub, shardSub, id } = link;
  const node = new ClusterNode(
    redis,
    sub,
    {
      open: (eventId) => directory.event(eventId),
      running: (eventId) => directory.get(eventId),
      stop: (eventId) => directory.stop(eventId),
      ids: () => directory.ids(),
    },
    log,
    {
      id,
      prefix: cfg.prefix,
      leaseTtlMs: cfg.leaseMs,
      memberTtlMs: cfg.leaseMs,
      // A request to an owner that died waits at most this long: no longer than its lease.
      requestTimeoutMs: Math.min(cfg.leaseMs, 5_000),
      sockets: cfg.sockets,
    },
  );
  await node.start();
  const fanout = new ClusterFanout(redis, shardSub, node.keys, id, cfg.dropEvery);
  const locator = new ClusterLocator(node, { running: (eventId) => directory.running(eventId) });
  log.info({ member: id, prefix: cfg.prefix }, 'cluster mode: joined');
  return {
    node,
    fanout,
    locator,
    async close() {
      fanout.close();
      await node.close();
      redis.disconnect();
      sub.disconnect();
      shardSub.disconnect();
    },
  };
}
