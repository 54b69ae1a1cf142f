import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/waiting-room/prng.ts';
import {
  ADMITTED,
  advance,
  configure,
  createQueue,
  heartbeat,
  join,
  openSale,
  type QueueState,
  Restorer,
  SKIPPED,
  ticketState,
  waiting,
} from '../../src/waiting-room/queue.ts';

// Given/when/then specs of the deli counter (pure: time is passed in, in ms).

const T0 = 1_900_000_000_000;
const S = 1000;
const OPTS = { graceSeconds: 60, accessSeconds: 600 };

/** Given an open room admitting `rate` fans a second, with these fans queued at T0. */
function openRoom(rate: number, fans: string[] = [], at = T0): QueueState {
  const q = createQueue(OPTS, at, 4);
  configure(q, { enabled: true, rate }, at);
  openSale(q, 'seed', at);
  for (const f of fans) join(q, f, at);
  return q;
}

const fans = (n: number, prefix = 'fan') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe('joining', () => {
  it('given an open room, when fans join, then they get tickets 1, 2, 3 in arrival order', () => {
    const q = openRoom(1);
    expect(['a', 'b', 'c'].map((f) => join(q, f, T0))).toEqual([
      { ticket: 1, fresh: true },
      { ticket: 2, fresh: true },
      { ticket: 3, fresh: true },
    ]);
    expect(waiting(q)).toBe(3);
  });

  it('given a fan in the queue, when they join again, then they keep the same ticket', () => {
    const q = openRoom(1, ['a', 'b']);
    expect(join(q, 'a', T0 + 5 * S)).toEqual({ ticket: 1, fresh: false });
    expect(q.last).toBe(2);
  });

  it('given more fans than the initial capacity, when they join, then the arrays grow and keep every place', () => {
    const q = openRoom(1, fans(100));
    expect(q.seen.length).toBeGreaterThanOrEqual(101);
    expect(q.byAccount.get('fan1')).toBe(1);
    expect(q.byAccount.get('fan100')).toBe(100);
    expect(q.accounts[57]).toBe('fan57');
  });
});

describe('admission', () => {
  it('given a rate of 2 a second, when 1 s passes in 250 ms steps, then serving moves by 2', () => {
    const q = openRoom(2, fans(10));
    const admitted = [1, 2, 3, 4].map((i) => advance(q, T0 + i * 250).admitted);
    expect(admitted).toEqual([0, 1, 0, 1]);
    expect(q.serving).toBe(2);
    expect(ticketState(q, 2, T0 + S)).toBe('admitted');
    expect(ticketState(q, 3, T0 + S)).toBe('waiting');
  });

  it('given a rate of 0.5 a second, when time passes, then the fractions accumulate', () => {
    const q = openRoom(0.5, fans(3));
    advance(q, T0 + S);
    expect(q.serving).toBe(0);
    advance(q, T0 + 2 * S);
    expect(q.serving).toBe(1);
    advance(q, T0 + 6 * S);
    expect(q.serving).toBe(3);
  });

  it('given an empty queue for a long time, when fans arrive, then at most one admission was banked', () => {
    const q = openRoom(10);
    advance(q, T0 + 60 * S);
    for (const f of fans(5)) join(q, f, T0 + 60 * S);
    const r = advance(q, T0 + 60 * S);
    expect(r.admitted).toBe(1);
    expect(q.serving).toBe(1);
  });

  it('given a rate of 0, when time passes, then nobody is admitted', () => {
    const q = openRoom(0, fans(3));
    expect(advance(q, T0 + 100 * S).admitted).toBe(0);
    expect(q.serving).toBe(0);
  });

  it('given a room switched off, when time passes, then admission stops and no credit builds up', () => {
    const q = openRoom(1, fans(10));
    configure(q, { enabled: false, rate: 1 }, T0 + 2 * S);
    expect(q.serving).toBe(2);
    advance(q, T0 + 60 * S);
    expect(q.serving).toBe(2);
    for (const f of fans(10)) heartbeat(q, f, T0 + 60 * S);
    configure(q, { enabled: true, rate: 1 }, T0 + 60 * S);
    advance(q, T0 + 61 * S);
    expect(q.serving).toBe(3);
  });

  it('given a rate change, when configured, then time before it counts at the old rate', () => {
    const q = openRoom(1, fans(100));
    configure(q, { enabled: true, rate: 10 }, T0 + 3 * S);
    expect(q.serving).toBe(3);
    advance(q, T0 + 4 * S);
    expect(q.serving).toBe(13);
  });

  it('given the sale has not opened, when time passes, then nobody is admitted', () => {
    const q = createQueue(OPTS, T0);
    configure(q, { enabled: true, rate: 100 }, T0);
    join(q, 'a', T0);
    advance(q, T0 + 10 * S);
    expect(q.serving).toBe(0);
    expect(ticketState(q, 1, T0 + 10 * S)).toBe('prequeue');
  });
});

describe('heartbeats and skipping', () => {
  it('given a fan silent for longer than the grace period, when serving reaches them, then they are skipped without using an admission', () => {
    const q = openRoom(1, ['quiet', 'keen']);
    heartbeat(q, 'keen', T0 + 60 * S);
    const r = advance(q, T0 + 61 * S);
    expect(r.skipped).toEqual([1]);
    expect(q.flags[1]).toBe(SKIPPED);
    expect(q.flags[2]).toBe(ADMITTED);
    expect(r.admitted).toBe(2 - 1);
    expect(ticketState(q, 1, T0 + 61 * S)).toBe('skipped');
  });

  it('given a fan who went quiet but came back before their turn, when serving reaches them, then they keep their place', () => {
    const q = openRoom(0, ['fan', 'other']);
    // quiet for 100 s while admission is paused, then back
    expect(heartbeat(q, 'fan', T0 + 100 * S)).toBe(1);
    configure(q, { enabled: true, rate: 1 }, T0 + 100 * S);
    const r = advance(q, T0 + 101 * S);
    expect(r.skipped).toEqual([]);
    expect(ticketState(q, 1, T0 + 101 * S)).toBe('admitted');
  });

  it('given a skipped fan, when they join again, then they start again at the end', () => {
    const q = openRoom(1, ['quiet', 'b', 'c']);
    heartbeat(q, 'b', T0 + 61 * S);
    heartbeat(q, 'c', T0 + 61 * S);
    advance(q, T0 + 61 * S);
    expect(ticketState(q, 1, T0 + 61 * S)).toBe('skipped');
    expect(join(q, 'quiet', T0 + 62 * S)).toEqual({ ticket: 4, fresh: true });
    expect(q.byAccount.get('quiet')).toBe(4);
    expect(ticketState(q, 4, T0 + 62 * S)).toBe('waiting');
  });

  it('given an admitted fan, when their access time runs out, then the admission has expired and joining starts again', () => {
    const q = openRoom(1, ['a']);
    advance(q, T0 + S);
    expect(ticketState(q, 1, T0 + S)).toBe('admitted');
    expect(join(q, 'a', T0 + 2 * S)).toEqual({ ticket: 1, fresh: false });
    expect(ticketState(q, 1, T0 + 601 * S)).toBe('expired');
    expect(join(q, 'a', T0 + 601 * S)).toEqual({ ticket: 2, fresh: true });
  });

  it('given an admitted fan, when they heartbeat, then their admission time is not moved', () => {
    const q = openRoom(1, ['a']);
    advance(q, T0 + S);
    const at = q.seen[1];
    heartbeat(q, 'a', T0 + 300 * S);
    expect(q.seen[1]).toBe(at);
  });

  it('given a stranger, when they heartbeat, then there is no ticket', () => {
    expect(heartbeat(openRoom(1, ['a']), 'nobody', T0)).toBeUndefined();
  });
});

describe('the pre-queue lottery', () => {
  function prequeue(n: number): QueueState {
    const q = createQueue(OPTS, T0, 4);
    configure(q, { enabled: true, rate: 1000 }, T0);
    for (const f of fans(n)) join(q, f, T0);
    return q;
  }

  it('given fans who joined before opening, when the sale opens, then each keeps exactly one ticket among 1..n, shuffled', () => {
    const q = prequeue(50);
    expect(openSale(q, 'opening-1', T0 + S)).toBe(50);
    const order = q.accounts.slice(1, 51);
    expect([...order].sort()).toEqual([...fans(50)].sort());
    expect(order).not.toEqual(fans(50));
    for (let t = 1; t <= 50; t++) expect(q.byAccount.get(q.accounts[t])).toBe(t);
    expect(q.prequeue).toBe(50);
    expect(q.seed).toBe('opening-1');
  });

  it('given the same seed, when the lottery runs again, then the order is the same; another seed gives another order', () => {
    const a = prequeue(30);
    const b = prequeue(30);
    const c = prequeue(30);
    openSale(a, 'x', T0);
    openSale(b, 'x', T0);
    openSale(c, 'y', T0);
    expect(b.accounts).toEqual(a.accounts);
    expect(c.accounts).not.toEqual(a.accounts);
  });

  it('given the lottery shuffled the heartbeat times with the fans, when a fan who went quiet comes up, then it is them who is skipped', () => {
    const q = createQueue(OPTS, T0, 4);
    configure(q, { enabled: true, rate: 1 }, T0);
    for (const f of fans(20)) join(q, f, T0);
    for (const f of fans(20)) if (f !== 'fan7') heartbeat(q, f, T0 + 100 * S);
    openSale(q, 's', T0 + 100 * S);
    const r = advance(q, T0 + 120 * S);
    expect(r.skipped.map((t) => q.accounts[t])).toEqual(['fan7']);
  });

  it('given an opened sale, when more fans join, then they queue behind the pre-queue, first come first served', () => {
    const q = prequeue(5);
    openSale(q, 's', T0);
    expect(join(q, 'late1', T0).ticket).toBe(6);
    expect(join(q, 'late2', T0).ticket).toBe(7);
    expect(openSale(q, 'again', T0)).toBe(0);
    expect(q.accounts[6]).toBe('late1');
    expect(q.seed).toBe('s');
  });

  it('given many openings, when we look at who came first, then every pre-queued fan is about equally likely', () => {
    const n = 8;
    const runs = 4000;
    const firsts = new Array<number>(n).fill(0);
    for (let i = 0; i < runs; i++) {
      const q = prequeue(n);
      openSale(q, `seed-${i}`, T0);
      firsts[Number(q.accounts[1].slice(3)) - 1]++;
    }
    // chi-square with 7 degrees of freedom: 24.3 is the 0.1% critical value
    const expected = runs / n;
    const chi2 = firsts.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(24.3);
  });
});

describe('the seeded generator', () => {
  it('gives integers in range without bias (chi-square over 10 buckets)', () => {
    const rng = createPrng('bias');
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) counts[rng.below(10)]++;
    const chi2 = counts.reduce((s, o) => s + (o - 5000) ** 2 / 5000, 0);
    expect(chi2).toBeLessThan(27.9); // 9 degrees of freedom, 0.1%
    expect(() => rng.below(0)).toThrow(RangeError);
  });

  it('repeats its sequence for the same seed', () => {
    const a = createPrng('same');
    const b = createPrng('same');
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
  });
});

describe('recovery', () => {
  it('given a room that ran (lottery, admissions, a skip, a rejoin), when rebuilt from what is stored, then it is the same room', () => {
    const q = createQueue(OPTS, T0, 4);
    configure(q, { enabled: true, rate: 1 }, T0);
    const stored: [number, string][] = [];
    const track = (f: string, at: number) => {
      const r = join(q, f, at);
      if (r.fresh) stored.push([r.ticket, f]);
    };
    for (const f of fans(6)) track(f, T0);
    for (const f of fans(6)) if (f !== 'fan3') heartbeat(q, f, T0 + 60 * S);
    openSale(q, 'replay', T0 + 60 * S);
    track('late', T0 + 60 * S);
    const skips: number[] = [];
    const fan3 = q.byAccount.get('fan3')!;
    for (let s = 61; q.serving < q.last; s++) {
      skips.push(...advance(q, T0 + s * S).skipped);
      for (const f of [...fans(6), 'late']) if (f !== 'fan3') heartbeat(q, f, T0 + s * S);
    }
    expect(skips).toEqual([fan3]);
    track('fan3', T0 + 70 * S); // fan3 went quiet and was skipped: rejoins at the end
    expect(q.byAccount.get('fan3')).toBe(8);

    const now = T0 + 100 * S;
    const r = new Restorer(
      OPTS,
      { enabled: q.enabled, rate: q.rate, serving: q.serving, saleOpened: true, seed: 'replay', prequeue: 6 },
      now,
    );
    for (const [t, a] of stored) r.add(t, a);
    const back = r.finish(skips);

    expect(back.accounts).toEqual(q.accounts);
    expect([...back.byAccount.entries()].sort()).toEqual([...q.byAccount.entries()].sort());
    expect(back.serving).toBe(q.serving);
    expect(back.last).toBe(q.last);
    for (let t = 1; t <= q.last; t++) expect(back.flags[t], `ticket ${t}`).toBe(q.flags[t]);
    expect(back.prequeue).toBe(6);
    expect(ticketState(back, back.byAccount.get('fan3')!, now)).toBe('waiting');
  });

  it('given a ticket missing from the store, when rebuilt, then it is a skipped hole that admission passes over', () => {
    const r = new Restorer(
      OPTS,
      { enabled: true, rate: 1, serving: 0, saleOpened: true, seed: 's', prequeue: 0 },
      T0,
    );
    r.add(1, 'a');
    r.add(3, 'c');
    const q = r.finish([]);
    expect(q.flags[2]).toBe(SKIPPED);
    const out = advance(q, T0 + 2 * S);
    expect(out.admitted).toBe(2);
    expect(out.skipped).toEqual([]);
    expect(q.serving).toBe(3);
  });
});
