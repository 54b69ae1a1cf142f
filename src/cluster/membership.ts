import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.ts';

// The cluster's members: each process keeps a key with its info alive by a heartbeat; a
// member whose key expired (killed, paused, cut off) is gone for placement.

export interface MemberInfo {
  id: string;
  pid: number;
  host: string;
  startedAt: string;
  /** Events whose lease it holds, open sockets: as of its last heartbeat. */
  events: number;
  sockets: number;
  beatAt: string;
}

export class Membership {
  private timer: NodeJS.Timeout | null = null;
  private info: MemberInfo;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    me: Omit<MemberInfo, 'beatAt' | 'events' | 'sockets'>,
    private readonly ttlMs: number,
    private readonly load: () => { events: number; sockets: number } = () => ({ events: 0, sockets: 0 }),
  ) {
    this.info = { ...me, events: 0, sockets: 0, beatAt: new Date().toISOString() };
  }

  get id(): string {
    return this.info.id;
  }

  /** Registers and keeps beating every third of the TTL. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(
      () => void this.beat().catch(() => {}),
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    this.timer.unref();
  }

  async beat(): Promise<void> {
    this.info = { ...this.info, ...this.load(), beatAt: new Date().toISOString() };
    await this.redis.set(this.keys.member(this.info.id), JSON.stringify(this.info), 'PX', this.ttlMs);
  }

  /** Every live member (this one included), by id. */
  async members(): Promise<MemberInfo[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.keys.members, 'COUNT', 500);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    return values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as MemberInfo)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Leaves at once (a clean stop): others place without waiting for the key to expire. */
  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.redis.del(this.keys.member(this.info.id));
  }

  /** Stops beating without leaving (the key expires by itself): what a crash looks like. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
