import { describe, expect, it } from 'vitest';
import { SessionCache } from '../../src/accounts/session-cache.ts';
import { hashSessionToken, newSessionToken } from '../../src/accounts/session-token.ts';

describe('session tokens', () => {
  it('are 32 random bytes in base64url, stored as a SHA-256 hex digest', () => {
    const a = newSessionToken();
    const b = newSessionToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(hashSessionToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSessionToken(a)).toBe(hashSessionToken(a));
    expect(hashSessionToken(a)).not.toBe(hashSessionToken(b));
  });
});

describe('SessionCache', () => {
  const setup = (ttl = 1000, max = 100) => {
    const clock = { t: 0 };
    let loads = 0;
    const cache = new SessionCache<string>(ttl, max, () => clock.t);
    const load = (v: string) => () => {
      loads++;
      return Promise.resolve(v);
    };
    return { clock, cache, load, loads: () => loads };
  };

  it('given a fresh entry, when asked again within the ttl, then it does not load again', async () => {
    const { clock, cache, load, loads } = setup();
    expect(await cache.get('k', load('a'))).toBe('a');
    clock.t = 999;
    expect(await cache.get('k', load('b'))).toBe('a');
    expect(loads()).toBe(1);
    clock.t = 1000;
    expect(await cache.get('k', load('b'))).toBe('b');
    expect(loads()).toBe(2);
  });

  it('given concurrent lookups of one key, then they share one load', async () => {
    const { cache } = setup();
    let release!: (v: string) => void;
    const slow = () =>
      new Promise<string>((r) => {
        release = r;
      });
    const p1 = cache.get('k', slow);
    const p2 = cache.get('k', () => Promise.resolve('other'));
    release('x');
    expect(await Promise.all([p1, p2])).toEqual(['x', 'x']);
  });

  it('given more keys than the bound, then the oldest are evicted and the size stays bounded', async () => {
    const { cache, load, loads } = setup(10_000, 3);
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, load(k));
    expect(cache.size).toBe(3);
    await cache.get('d', load('d2'));
    expect(loads()).toBe(4);
    expect(await cache.get('a', load('a2'))).toBe('a2'); // 'a' was evicted
    expect(loads()).toBe(5);
    expect(cache.size).toBe(3);
  });

  it('given a failed load, then nothing is cached and the next lookup retries', async () => {
    const { cache, load } = setup();
    await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('k', load('ok'))).toBe('ok');
  });

  it('given delete, deleteWhere or expireAt, then the entry stops being served', async () => {
    const { clock, cache, load } = setup();
    await cache.get('a', load('u1'));
    await cache.get('b', load('u2'));
    await cache.get('c', load('u1'));
    cache.delete('b');
    expect(await cache.get('b', load('u2-new'))).toBe('u2-new');
    await cache.deleteWhere((v) => v === 'u1');
    expect(await cache.get('a', load('u1-new'))).toBe('u1-new');
    expect(await cache.get('c', load('u1-new'))).toBe('u1-new');
    cache.expireAt('a', 10);
    clock.t = 10;
    expect(await cache.get('a', load('later'))).toBe('later');
  });
});
