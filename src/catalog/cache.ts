import { createHash } from 'node:crypto';

// An in-process LRU of catalog records (what GET /api/events/:id serves besides the live
// availability), each with the ETag of its JSON. Writes drop the entries they affect: the
// event itself, or every cached event of a changed venue or performer.

export interface Cached<T> {
  value: T;
  /** Hash of the value's JSON, for ETags. */
  tag: string;
  /** Ids this entry depends on (venue:..., performer:...), for invalidation. */
  deps: string[];
}

export class RecordCache<T> {
  private entries = new Map<string, Cached<T>>();
  private loading = new Map<string, Promise<Cached<T> | null>>();
  /** Bumped by every invalidation, so a load that raced with one is not kept. */
  private generation = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly max = 10_000) {}

  /** The cached entry, or `load()`'s (concurrent misses share one load). Null: no such record. */
  async get(
    key: string,
    load: () => Promise<{ value: T; deps: string[] } | null>,
  ): Promise<Cached<T> | null> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key); // re-insert: most recently used last
      this.entries.set(key, hit);
      return hit;
    }
    this.misses++;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const p = load()
      .then((r) => {
        if (!r) return null;
        const entry: Cached<T> = { value: r.value, deps: r.deps, tag: tagOf(r.value) };
        if (generation === this.generation) {
          this.entries.set(key, entry);
          if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
        }
        return entry;
      })
      .finally(() => {
        if (this.loading.get(key) === p) this.loading.delete(key);
      });
    this.loading.set(key, p);
    return p;
  }

  /** Drops the entry of `key`. */
  delete(key: string): void {
    this.generation++;
    this.loading.clear();
    this.entries.delete(key);
  }

  /** Drops every entry depending on `dep`. */
  invalidate(dep: string): void {
    this.generation++;
    this.loading.clear();
    for (const [k, e] of this.entries) if (e.deps.includes(dep)) this.entries.delete(k);
  }

  clear(): void {
    this.generation++;
    this.loading.clear();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

export function tagOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16);
}
