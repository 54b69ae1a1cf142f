// Token buckets for writes, one per IP and one per account: a request passes only when both
// have a token. Buckets refill continuously; idle ones are forgotten so memory stays bounded.

export interface BucketConfig {
  /** Tokens added per second. */
  rate: number;
  /** Most tokens a bucket holds (the burst). */
  burst: number;
}

class Buckets {
  private tokens = new Map<string, number>();
  private stamps = new Map<string, number>();

  constructor(private readonly cfg: BucketConfig) {}

  /** Seconds to wait before a token is available; 0 when one was taken now. */
  take(key: string, now: number): number {
    const last = this.stamps.get(key) ?? now;
    const have = Math.min(
      this.cfg.burst,
      (this.tokens.get(key) ?? this.cfg.burst) + ((now - last) / 1000) * this.cfg.rate,
    );
    if (have < 1) {
      this.tokens.set(key, have);
      this.stamps.set(key, now);
      return (1 - have) / this.cfg.rate;
    }
    this.tokens.set(key, have - 1);
    this.stamps.set(key, now);
    return 0;
  }

  /** Drops buckets that have refilled completely: they are the same as absent ones. */
  sweep(now: number): void {
    for (const [key, at] of this.stamps) {
      const have = (this.tokens.get(key) ?? 0) + ((now - at) / 1000) * this.cfg.rate;
      if (have >= this.cfg.burst) {
        this.stamps.delete(key);
        this.tokens.delete(key);
      }
    }
  }
}

/** What the router and the sockets ask before a write: seconds to wait (0 = go ahead). */
export interface WriteLimiter {
  take(ip: string, accountId?: string): number;
  close(): void;
}

export class RateLimiter implements WriteLimiter {
  private readonly ip: Buckets;
  private readonly account: Buckets;
  private readonly timer: NodeJS.Timeout;

  constructor(
    perIp: BucketConfig,
    perAccount: BucketConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.ip = new Buckets(perIp);
    this.account = new Buckets(perAccount);
    this.timer = setInterval(() => {
      const t = this.now();
      this.ip.sweep(t);
      this.account.sweep(t);
    }, 30_000);
    this.timer.unref();
  }

  /** Seconds to wait (0 = go ahead). Takes from the IP bucket, then the account's. */
  take(ip: string, accountId?: string): number {
    const t = this.now();
    const wait = this.ip.take(ip, t);
    if (wait > 0) return wait;
    return accountId ? this.account.take(accountId, t) : 0;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
