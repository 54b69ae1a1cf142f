// A small time-limited, size-bounded map for authentication results, so the hot path does
// not ask the database on every request. Entries hold a promise: concurrent lookups of one
// token share one query. When full, the oldest entry goes first.

interface Entry<V> {
  value: Promise<V>;
  until: number;
}

export class SessionCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value for `key`, or the one `load` produces (cached unless it rejects). */
  get(key: string, load: () => Promise<V>, until = Number.POSITIVE_INFINITY): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > t) return hit.value;
    if (hit) this.entries.delete(key);
    const value = load();
    const entry: Entry<V> = { value, until: Math.min(t + this.ttlMs, until) };
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** Shortens the entry for `key` to end at `until` (e.g. when the session itself ends). */
  expireAt(key: string, until: number): void {
    const e = this.entries.get(key);
    if (e && until < e.until) e.until = until;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose settled value matches (e.g. all sessions of one user). */
  async deleteWhere(match: (value: V) => boolean): Promise<void> {
    const all = [...this.entries];
    const settled = await Promise.allSettled(all.map(([, e]) => e.value));
    settled.forEach((s, i) => {
      const [key, entry] = all[i];
      if (s.status === 'fulfilled' && match(s.value) && this.entries.get(key) === entry) {
        this.entries.delete(key);
      }
    });
  }

  clear(): void {
    this.entries.clear();
  }
}
