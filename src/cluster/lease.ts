import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.ts';

// Event leases in Redis: one owner per event, held by a key that expires unless its holder
// renews it. Renewal and release are compare-and-set scripts, so a member can only extend or
// drop its own lease. A lease decides who should run an event; the journal's epoch fence in
// Postgres decides who can commit, so a holder paused past its lease cannot do harm.

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class Leases {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    readonly me: string,
    readonly ttlMs: number,
  ) {}

  /** Takes the event's lease if nobody holds it; true when this member holds it now. */
  async acquire(eventId: string): Promise<boolean> {
    const set = await this.redis.set(this.keys.lease(eventId), this.me, 'PX', this.ttlMs, 'NX');
    if (set === 'OK') return true;
    return (await this.owner(eventId)) === this.me;
  }

  /** Extends this member's lease; false when it is no longer this member's. */
  async renew(eventId: string): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.keys.lease(eventId), this.me, this.ttlMs)) === 1;
  }

  /** Gives the lease up (a clean stop); a no-op when it is another member's. */
  async release(eventId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.lease(eventId), this.me);
  }

  /** Every lease held now: event, owner and the milliseconds it has left. */
  async list(): Promise<{ eventId: string; owner: string; ttlMs: number }[]> {
    const prefix = this.keys.lease('');
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const k of keys) pipe.get(k).pttl(k);
    const res = (await pipe.exec()) ?? [];
    const out: { eventId: string; owner: string; ttlMs: number }[] = [];
    keys.forEach((k, i) => {
      const owner = res[2 * i]?.[1] as string | null;
      const ttl = res[2 * i + 1]?.[1] as number;
      if (owner) out.push({ eventId: k.slice(prefix.length), owner, ttlMs: ttl });
    });
    return out.sort((a, b) => a.eventId.localeCompare(b.eventId));
  }

  async owner(eventId: string): Promise<string | null> {
    return this.redis.get(this.keys.lease(eventId));
  }
}
