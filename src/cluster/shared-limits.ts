import type { Redis } from 'ioredis';
import type { BucketConfig, RateLimiter, WriteLimiter } from '../gateway/rate-limit.ts';
import type { ClusterKeys } from './keys.ts';

// The write limits across the cluster: the same token buckets (per IP, per account), kept in
// Redis so a client spreading its writes over members gets no more than from one. The
// decision stays synchronous: the member's own buckets answer at once, and each write is
// also taken from the cluster's buckets by one Redis script; when Redis says a bucket is
// empty, the key is refused here until it has refilled. A client may so slip up to one
// Redis round trip of writes past the limit; with Redis away, the member's own limits hold.

// KEYS: ip bucket, account bucket (or ''). ARGV: ip rate, ip burst, account rate, account burst.
// Returns the ms to wait for the ip bucket and for the account bucket (0: a token taken).
const TAKE = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local function take(key, rate, burst)
  local b = redis.call('HMGET', key, 't', 'ts')
  local tokens = tonumber(b[1]) or burst
  local ts = tonumber(b[2]) or ms
  tokens = math.min(burst, tokens + (ms - ts) / 1000 * rate)
  local wait = 0
  if tokens < 1 then wait = math.ceil((1 - tokens) / rate * 1000) else tokens = tokens - 1 end
  redis.call('HSET', key, 't', tokens, 'ts', ms)
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
  return wait
end
local ipWait = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local accountWait = 0
if ipWait == 0 and KEYS[2] ~= '' then accountWait = take(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4])) end
return {ipWait, accountWait}
`;

export class SharedRateLimiter implements WriteLimiter {
  /** Keys Redis found empty: refused here until then (ms since the epoch). */
  private readonly blocked = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly local: RateLimiter,
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly perIp: BucketConfig,
    private readonly perAccount: BucketConfig,
    private readonly now: () => number = Date.now,
  ) {
    redis.defineCommand('onsaleTakeTokens', { numberOfKeys: 2, lua: TAKE });
    this.timer = setInterval(() => {
      const t = this.now();
      for (const [k, until] of this.blocked) if (until <= t) this.blocked.delete(k);
    }, 10_000);
    this.timer.unref();
  }

  take(ip: string, accountId?: string): number {
    const t = this.now();
    const ipKey = `ip:${ip}`;
    const accountKey = accountId ? `account:${accountId}` : '';
    const until = Math.max(
      this.blocked.get(ipKey) ?? 0,
      accountKey ? (this.blocked.get(accountKey) ?? 0) : 0,
    );
    if (until > t) return (until - t) / 1000;
    const wait = this.local.take(ip, accountId);
    if (wait > 0) return wait;
    (this.redis as unknown as { onsaleTakeTokens(...a: (string | number)[]): Promise<[number, number]> })
      .onsaleTakeTokens(
        this.keys.limit(ipKey),
        accountKey ? this.keys.limit(accountKey) : '',
        this.perIp.rate,
        this.perIp.burst,
        this.perAccount.rate,
        this.perAccount.burst,
      )
      .then(([ipWait, accountWait]) => {
        const at = this.now();
        if (ipWait > 0) this.blocked.set(ipKey, at + ipWait);
        if (accountWait > 0) this.blocked.set(accountKey, at + accountWait);
      })
      .catch(() => {
        // Redis away: this member's own buckets are the limit meanwhile.
      });
    return 0;
  }

  close(): void {
    clearInterval(this.timer);
    this.local.close();
  }
}
