import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeSnapshot } from '../../src/actors/snapshot-envelope.ts';
import { apply } from '../../src/domain/apply.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { AVAILABLE, HELD } from '../../src/domain/seat-status.ts';
import { encodeState } from '../../src/domain/snapshot.ts';
import { createState } from '../../src/domain/state.ts';
import { EVENT_ID, type Harness, harness, sleep } from '../support/actors.ts';
import { CONFIG, fixtureLayout, PRICES } from '../support/fixture.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const holdCmd = (holdId: string, fanId: string, seats: number[]): Command => ({
  type: 'hold',
  holdId,
  fanId,
  seats,
});
const code = (o: Outcome) => (o.ok ? 'ok' : o.error.code);

let current: Harness | undefined;
function setup(...args: Parameters<typeof harness>): Harness {
  current = harness(...args);
  return current;
}

afterEach(async () => {
  const h = current;
  current = undefined;
  if (h) {
    h.journal.open();
    await h.directory.close();
  }
});

describe('event actor: output gate', () => {
  it('given a journal append held open, when a fan holds a seat, then the seat is taken at once but the reply waits for the commit', async () => {
    const { event, journal, batches } = setup();
    await event.read(() => 0); // recovered
    journal.hold();
    let reply: Outcome | undefined;
    const p = event.submit(holdCmd('h1', 'ann', [0])).then((o) => {
      reply = o;
      return o;
    });
    await vi.waitFor(() => expect(journal.appended).toHaveLength(1));
    // Applied synchronously: the actor already counts the seat as held…
    expect(await event.read((s) => s.status[0])).toBe(HELD);
    await sleep(40); // several ticks
    // …but nothing is acknowledged or broadcast before the batch is durable.
    expect(reply).toBeUndefined();
    expect(journal.entries(EVENT_ID)).toHaveLength(0);
    expect(batches).toHaveLength(0);

    journal.open();
    expect(code(await p)).toBe('ok');
    expect(journal.entries(EVENT_ID).map((e) => e.seq)).toEqual([1]);
    await vi.waitFor(() => expect(batches.at(-1)?.toVersion).toBe(1));
  });

  it('given a journal append held open, when a fan holds a seat, then the durable seat map (what fans are shown) keeps it available until the commit, then shows it at the new version', async () => {
    const { event, journal } = setup();
    await event.read(() => 0);
    journal.hold();
    const p = event.submit(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended).toHaveLength(1));
    expect(await event.read((s) => [s.version, s.status[0]])).toEqual([1, HELD]);
    const before = await event.durableSeats();
    expect([before.version, before.status[0]]).toEqual([0, AVAILABLE]);
    journal.open();
    expect(code(await p)).toBe('ok');
    const after = await event.durableSeats();
    expect([after.version, after.status[0]]).toEqual([1, HELD]);
    expect(before.status[0]).toBe(AVAILABLE); // a copy: later commits do not change what was handed out
  });

  it('given a journal append that fails, when the actor restarts, then the durable seat map never showed the lost hold', async () => {
    const { event, journal } = setup();
    await event.read(() => 0);
    journal.hold();
    const p = event.submit(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended).toHaveLength(1));
    expect((await event.durableSeats()).status[0]).toBe(AVAILABLE);
    journal.failHeld(new Error('disk gone'));
    expect(code(await p)).toBe('UNAVAILABLE');
    const recovered = await event.durableSeats();
    expect([recovered.version, recovered.status[0]]).toEqual([0, AVAILABLE]);
  });

  it('given a batch in flight, when more commands arrive, then their replies (rejections too) wait, and they commit together as the next batch', async () => {
    const { event, journal } = setup();
    await event.read(() => 0);
    journal.hold();
    const first = event.submit(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended).toHaveLength(1));
    const settled: string[] = [];
    const second = event.submit(holdCmd('h2', 'bob', [1])).then((o) => settled.push(`bob:${code(o)}`));
    const loser = event.submit(holdCmd('h3', 'cat', [0])).then((o) => settled.push(`cat:${code(o)}`));
    await sleep(30);
    expect(journal.appended).toHaveLength(1); // one batch at a time
    expect(settled).toEqual([]); // cat's rejection depends on ann's uncommitted hold: it waits too
    journal.open();
    await Promise.all([first, second, loser]);
    expect(settled.sort()).toEqual(['bob:ok', 'cat:SEAT_UNAVAILABLE']);
    expect(journal.appended.map((b) => b.map((e) => e.seq))).toEqual([[1], [2]]);
  });
});

describe('event actor: ordering on one handle', () => {
  it('given a command submitted in this turn, when the state is read right after, then the read sees it', async () => {
    const { event } = setup();
    void event.submit(holdCmd('h1', 'ann', [0]));
    expect(await event.read((s) => s.status[0])).toBe(HELD);
  });

  it('given commands submitted in this turn, when drained right after, then they are committed, not dropped', async () => {
    const { event, journal, directory } = setup();
    const a = event.submit(holdCmd('h1', 'ann', [0]));
    const b = event.submit(holdCmd('h2', 'bob', [1]));
    await directory.close();
    expect([code(await a), code(await b)]).toEqual(['ok', 'ok']);
    expect(journal.entries(EVENT_ID).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('given singles, batches and reads in one turn, when they reach the actor, then as one command message and one read message, each caller gets its own outcomes in order, and the reads see every command', async () => {
    const { event } = setup();
    await event.read(() => 0); // recovered
    const kinds: string[] = [];
    const runtime = event.runtime!;
    const handle = runtime.handle.bind(runtime);
    runtime.handle = (msg) => {
      kinds.push(msg.kind === 'submit' ? `submit×${msg.envelopes.length}` : msg.kind);
      handle(msg);
    };
    const a = event.submit(holdCmd('a', 'ann', [0]));
    const many = event.submitMany([
      { command: holdCmd('b', 'bob', [1]) },
      { command: holdCmd('c', 'cat', [0]) }, // ann has it: rejected
    ]);
    const seen = event.read((s) => [s.status[0], s.status[1], s.status[2]]);
    const d = event.submit(holdCmd('d', 'dan', [2]));
    const seen2 = event.read((s) => s.version);
    expect(code(await a)).toBe('ok');
    expect((await many).map(code)).toEqual(['ok', 'SEAT_UNAVAILABLE']);
    expect(code(await d)).toBe('ok');
    expect(await seen).toEqual([HELD, HELD, HELD]);
    expect(await seen2).toBe(3);
    expect(kinds).toEqual(['submit×4', 'read']);
  });
});

describe('event actor: journal failure', () => {
  it('given a committed hold, when the next append fails, then that batch gets UNAVAILABLE and the actor recovers to the durable state', async () => {
    const { event, journal, resets } = setup();
    expect(code(await event.submit(holdCmd('h1', 'ann', [0]), 'k-ann'))).toBe('ok');
    const firstRuntime = event.runtime;

    journal.failNext = new Error('disk on fire');
    const failed = await event.submitMany([
      { command: holdCmd('h2', 'bob', [1]), key: 'k-bob' },
      { command: holdCmd('h3', 'cat', [2]) },
    ]);
    expect(failed.map(code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);

    const after = await event.read((s) => ({
      version: s.version,
      s0: s.status[0],
      s1: s.status[1],
      s2: s.status[2],
    }));
    expect(after).toEqual({ version: 1, s0: HELD, s1: AVAILABLE, s2: AVAILABLE });
    expect(event.runtime).not.toBe(firstRuntime);
    expect(resets).toEqual([0, 1]);
    expect(journal.entries(EVENT_ID).map((e) => e.command)).toEqual([holdCmd('h1', 'ann', [0])]);

    // The client retries with the same key: it was not applied, so now it is.
    expect(code(await event.submit(holdCmd('h2', 'bob', [1]), 'k-bob'))).toBe('ok');
    // The earlier key still answers with its first outcome, without a new entry.
    expect(code(await event.submit(holdCmd('h1', 'ann', [0]), 'k-ann'))).toBe('ok');
    expect(journal.entries(EVENT_ID).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('given an append that fails while a read and a drain are on their way, when the actor restarts, then both still settle', async () => {
    const { event, journal } = setup();
    await event.read(() => 0);
    journal.hold();
    const p = event.submit(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended).toHaveLength(1));
    // Dispatched now, handled after the failure below has killed the runtime.
    const read = event.read((s) => s.version);
    const drain = event.drain().then(() => 'drained');
    journal.failHeld(new Error('connection reset'));
    expect(code(await p)).toBe('UNAVAILABLE');
    const timeout = sleep(2000).then(() => 'timed out');
    expect(await Promise.race([read, timeout])).toBe(0);
    expect(await Promise.race([drain, timeout])).toBe('drained');
  });
});

describe('event actor: crash and supervision', () => {
  it('given a snapshot and journal entries after it, when a command handler throws, then the actor restarts from snapshot + journal to the same state', async () => {
    const { event, journal, snapshots, resets } = setup({ deps: { snapshotEvery: 3 } });
    for (const [i, fan] of ['ann', 'bob', 'cat', 'dan'].entries()) {
      expect(code(await event.submit(holdCmd(`h${i}`, fan, [i])))).toBe('ok');
    }
    await vi.waitFor(async () => expect((await snapshots.latest(EVENT_ID))?.version).toBe(3));
    expect(
      code(await event.submit({ type: 'holdGa', holdId: 'g', fanId: 'eve', area: 'FLOOR', count: 2 })),
    ).toBe('ok');
    const before = await event.read((s) => encodeState(s));
    const firstRuntime = event.runtime;

    // A bug: a command no handler knows makes apply() throw inside the actor. The other
    // command of the same message was applied to the torn state and must vanish with it.
    const out = await event.submitMany([
      { command: holdCmd('hx', 'fay', [10]) },
      { command: { type: 'explode' } as unknown as Command },
    ]);
    expect(out.map(code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);

    const after = await event.read((s) => encodeState(s));
    expect(event.runtime).not.toBe(firstRuntime);
    expect(same(after, before)).toBe(true);
    expect(await event.read((s) => s.status[10])).toBe(AVAILABLE);
    expect(journal.reads).toEqual([0, 3]); // the restart replayed only what followed the snapshot
    expect(resets).toEqual([0, 5]);
    expect(code(await event.submit(holdCmd('hy', 'fay', [10])))).toBe('ok');
  });
});

describe('event actor: coalesced, versioned deltas', () => {
  it('given a tick that does not fire on its own, when a seat changes three times across three commits, then one batch carries its latest status once', async () => {
    const { event, batches } = setup({ deps: { tickMs: 3_600_000 } });
    expect(code(await event.submit(holdCmd('h1', 'ann', [0])))).toBe('ok');
    expect(code(await event.submit({ type: 'release', holdId: 'h1', fanId: 'ann' }))).toBe('ok');
    expect(code(await event.submit(holdCmd('h2', 'bob', [0, 1])))).toBe('ok');
    expect(batches).toEqual([]);
    await event.drain(); // flushes the coalescer
    expect(batches).toEqual([
      {
        eventId: EVENT_ID,
        fromVersion: 1,
        toVersion: 3,
        seats: [0, HELD, 1, HELD],
        areas: [],
        committedAt: expect.any(Number),
      },
    ]);

    expect(
      code(await event.submit({ type: 'holdGa', holdId: 'g', fanId: 'cat', area: 'FLOOR', count: 3 })),
    ).toBe('ok');
    expect(code(await event.submit({ type: 'release', holdId: 'g', fanId: 'cat' }))).toBe('ok');
    await event.drain();
    expect(batches[1]).toEqual({
      eventId: EVENT_ID,
      fromVersion: 4,
      toVersion: 5,
      seats: [],
      areas: [0, 10],
      committedAt: expect.any(Number),
    });
  });

  it('given commands spread over many ticks, when the batches are collected, then versions are contiguous and replaying them gives the final seat map', async () => {
    const { event, batches } = setup({ deps: { tickMs: 5 } });
    const fans = ['ann', 'bob', 'cat', 'dan'];
    for (let i = 0; i < 40; i++) {
      const seat = (i * 7) % 16;
      const fan = fans[i % 4];
      void event.submit(holdCmd(`h${i}`, fan, [seat]));
      if (i % 3 === 0)
        void event.submit({ type: 'release', holdId: `h${i - 3}`, fanId: fans[(i - 3 + 4) % 4] });
      if (i % 5 === 0) await sleep(6);
      else await new Promise((r) => setImmediate(r));
    }
    await event.drain();
    const final = await event.read((s) => ({ version: s.version, status: Array.from(s.status) }));
    expect(final.version).toBeGreaterThan(10);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches[0].fromVersion).toBe(1);
    for (let i = 1; i < batches.length; i++)
      expect(batches[i].fromVersion).toBe(batches[i - 1].toVersion + 1);
    expect(batches.at(-1)?.toVersion).toBe(final.version);
    const seen = new Array<number>(final.status.length).fill(AVAILABLE);
    for (const b of batches) {
      expect(b.toVersion).toBeGreaterThanOrEqual(b.fromVersion);
      const seats = new Set<number>();
      for (let i = 0; i < b.seats.length; i += 2) {
        expect(seats.has(b.seats[i])).toBe(false); // each seat at most once per batch
        seats.add(b.seats[i]);
        seen[b.seats[i]] = b.seats[i + 1];
      }
    }
    expect(seen).toEqual(final.status);
  });
});

describe('event actor: hold expiry', () => {
  it('given a 50 ms hold time, when nobody touches the hold, then the actor timer expires it, journals the expire and broadcasts it', async () => {
    const { event, journal, batches } = setup({ config: { holdTtlMs: 50, maxHoldMs: 100 } });
    const out = await event.submit(holdCmd('h1', 'ann', [0, 1]));
    expect(code(out)).toBe('ok');
    expect(await event.read((s) => s.status[0])).toBe(HELD);
    await vi.waitFor(
      () => expect(journal.entries(EVENT_ID).map((e) => e.command.type)).toEqual(['hold', 'expire']),
      {
        timeout: 3000,
      },
    );
    const [hold, expire] = journal.entries(EVENT_ID);
    expect(expire.at).toBeGreaterThanOrEqual(hold.at + 50);
    expect(expire.seq).toBe(2);
    expect(await event.read((s) => [s.status[0], s.status[1], s.holds.size])).toEqual([
      AVAILABLE,
      AVAILABLE,
      0,
    ]);
    await vi.waitFor(() => expect(batches.at(-1)?.toVersion).toBe(2));
    expect(batches.at(-1)?.seats).toEqual(expect.arrayContaining([0, AVAILABLE, 1, AVAILABLE]));
  });

  it('given an extended hold, when its first deadline passes, then the timer re-arms and expires it only at the new deadline', async () => {
    const { event, journal } = setup({ config: { holdTtlMs: 100, maxHoldMs: 2000 } });
    expect(code(await event.submit(holdCmd('h1', 'ann', [0])))).toBe('ok');
    expect(code(await event.submit({ type: 'extendHold', holdId: 'h1', fanId: 'ann', byMs: 400 }))).toBe(
      'ok',
    );
    const deadline = await event.read((s) => s.holds.get('h1')!.expiresAt);
    await sleep(200);
    // Past the first deadline; still held while the actor's clock is before the new one.
    const [status, at] = await event.read((s) => [s.status[0], Date.now()]);
    expect(status).toBe(at < deadline ? HELD : status);
    expect(journal.entries(EVENT_ID).filter((e) => e.command.type === 'expire' && e.at < deadline)).toEqual(
      [],
    );
    await vi.waitFor(() => expect(journal.entries(EVENT_ID).map((e) => e.command.type)).toContain('expire'), {
      timeout: 3000,
    });
    expect(journal.entries(EVENT_ID).at(-1)!.at).toBeGreaterThanOrEqual(deadline);
  });

  it('given a hold past its deadline on a fake clock, when any command arrives, then the expire is journaled first and frees the seat for it', async () => {
    let clock = 5_000_000;
    const { event, journal } = setup({ deps: { now: () => clock } });
    expect(code(await event.submit(holdCmd('h1', 'ann', [0])))).toBe('ok');
    clock += 60_000; // holdTtlMs in the harness
    expect(code(await event.submit(holdCmd('h2', 'bob', [0])))).toBe('ok');
    expect(journal.entries(EVENT_ID).map((e) => [e.seq, e.command.type, e.at])).toEqual([
      [1, 'hold', 5_000_000],
      [2, 'expire', 5_060_000],
      [3, 'hold', 5_060_000],
    ]);
  });

  it('given a hold that fell due while the actor was down, when it recovers, then the overdue hold is expired and journaled', async () => {
    let clock = 5_000_000;
    const { event, journal } = setup({ deps: { now: () => clock } });
    expect(code(await event.submit(holdCmd('h1', 'ann', [0])))).toBe('ok');
    clock += 61_000;
    expect(code(await event.submit({ type: 'nope' } as unknown as Command))).toBe('UNAVAILABLE'); // crash
    // The first thing the recovered actor answers already sees the seat free.
    expect(await event.read((s) => s.status[0])).toBe(AVAILABLE);
    await vi.waitFor(() =>
      expect(journal.entries(EVENT_ID).map((e) => e.command.type)).toEqual(['hold', 'expire']),
    );
    expect(journal.entries(EVENT_ID)[1].at).toBe(5_061_000);
  });
});

describe('event actor: idempotency keys', () => {
  it('given a command accepted under a key, when the same key comes again (even with another command), then the first outcome is returned and nothing is re-applied', async () => {
    const { event, journal } = setup();
    const first = await event.submit(holdCmd('h1', 'ann', [0]), 'key-1');
    expect(code(first)).toBe('ok');
    const again = await event.submit(holdCmd('h1', 'ann', [0]), 'key-1');
    expect(again).toEqual(first); // not HOLD_EXISTS: it was not applied twice
    const other = await event.submit(holdCmd('h9', 'bob', [5]), 'key-1');
    expect(other).toEqual(first);
    expect(await event.read((s) => [s.version, s.status[5]])).toEqual([1, AVAILABLE]);
    expect(journal.entries(EVENT_ID)).toEqual([
      expect.objectContaining({ seq: 1, key: 'key-1', command: holdCmd('h1', 'ann', [0]) }),
    ]);
  });

  it('given the same key twice in one message, when applied, then the second gets the first outcome', async () => {
    const { event } = setup();
    const outs = await event.submitMany([
      { command: holdCmd('h1', 'ann', [0]), key: 'k' },
      { command: holdCmd('h1', 'ann', [0]), key: 'k' },
    ]);
    expect(outs[1]).toEqual(outs[0]);
    expect(code(outs[0])).toBe('ok');
    expect(await event.read((s) => s.version)).toBe(1);
  });

  it('given a keyed command and then a crash, when the key is retried, then the replayed journal still knows it', async () => {
    const { event } = setup();
    const first = await event.submit(holdCmd('h1', 'ann', [0]), 'key-1');
    expect(code(await event.submit({ type: 'boom' } as unknown as Command))).toBe('UNAVAILABLE');
    expect(await event.submit(holdCmd('h1', 'ann', [0]), 'key-1')).toEqual(first);
    expect(await event.read((s) => s.version)).toBe(1);
  });
});

describe('event actor: drain and snapshots', () => {
  it('given a few committed commands and no snapshot yet, when drained, then a snapshot of exactly the live state is saved', async () => {
    const { event, snapshots } = setup();
    expect(code(await event.submit(holdCmd('h1', 'ann', [0, 1])))).toBe('ok');
    expect(code(await event.submit({ type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }))).toBe('ok');
    expect(code(await event.submit({ type: 'block', seats: [20] }))).toBe('ok');
    expect(await snapshots.latest(EVENT_ID)).toBeNull();
    await event.drain();
    const snap = await snapshots.latest(EVENT_ID);
    expect(snap?.version).toBe(3);
    const live = await event.read((s) => encodeState(s));
    const stored = decodeSnapshot(fixtureLayout(), snap!.bytes);
    expect(same(encodeState(stored.state), live)).toBe(true);
    expect(stored.state.version).toBe(3);
  });

  it('given a command with an idempotency key before a snapshot, when the actor restarts from it, then a retry gets the first outcome', async () => {
    const { event, journal, snapshots } = setup();
    const first = await event.submit(holdCmd('h1', 'ann', [0, 1]), 'key-1');
    expect(code(first)).toBe('ok');
    await event.drain();
    expect((await snapshots.latest(EVENT_ID))?.version).toBe(1);
    // The journal before the snapshot is gone: the key must come from the snapshot itself.
    journal.entries(EVENT_ID).length = 0;
    expect(code(await event.submit({ type: 'boom' } as unknown as Command))).toBe('UNAVAILABLE'); // crash
    const retry = await event.submit(holdCmd('h1', 'ann', [0, 1]), 'key-1');
    expect(retry).toEqual(first);
    expect(await event.read((s) => s.version)).toBe(1);
  });

  it('given the journal of a run, when replayed on a fresh state, then it rebuilds the bytes of the live state', async () => {
    const { event, journal } = setup();
    await event.submit(holdCmd('h1', 'ann', [0, 1]));
    await event.submit({ type: 'holdGa', holdId: 'g1', fanId: 'bob', area: 'FLOOR', count: 3 });
    await event.submit({ type: 'book', holdId: 'g1', fanId: 'bob', orderId: 'o1' });
    await event.submit({ type: 'setSale', status: 'paused' });
    await event.drain();
    const fresh = createState(fixtureLayout(), PRICES, { ...CONFIG, holdTtlMs: 60_000, maxHoldMs: 120_000 });
    for (const e of journal.entries(EVENT_ID)) expect(apply(fresh, e.command, e.at).ok).toBe(true);
    expect(same(encodeState(fresh), await event.read((s) => encodeState(s)))).toBe(true);
  });
});

describe('event actor: bad commands', () => {
  it('given an open event, when commands break the rules, then each gets its typed code and none is journaled', async () => {
    const { event, journal } = setup();
    expect(code(await event.submit(holdCmd('h1', 'ann', [0])))).toBe('ok');
    const outs = await Promise.all([
      event.submit(holdCmd('h2', 'bob', [999])),
      event.submit({ type: 'release', holdId: 'h1', fanId: 'bob' }),
      event.submit(holdCmd('h3', 'cat', [1, 2, 3, 4, 5])),
      event.submit({ type: 'holdGa', holdId: 'h4', fanId: 'ann', area: 'FLOOR', count: 4 }),
      event.submit({ type: 'holdGa', holdId: 'h5', fanId: 'ann', area: 'FLOOR', count: 2 }),
      event.submit({ type: 'book', holdId: 'h404', fanId: 'ann', orderId: 'o1' }),
      event.submit(holdCmd('h6', 'dan', [13])),
    ]);
    expect(outs.map(code)).toEqual([
      'UNKNOWN_SEAT',
      'NOT_HOLDER',
      'LIMIT_PER_ORDER',
      'ok',
      'LIMIT_PER_FAN',
      'HOLD_NOT_FOUND',
      'COMPANION_WITHOUT_ACCESSIBLE',
    ]);
    expect(journal.entries(EVENT_ID).map((e) => e.command.type)).toEqual(['hold', 'holdGa']);
    expect(await event.read((s) => s.version)).toBe(2);
  });

  it('given a stopped handle, when a command is submitted, then UNAVAILABLE', async () => {
    const { event, directory } = setup();
    await directory.close();
    expect(code(await event.submit(holdCmd('h1', 'ann', [0])))).toBe('UNAVAILABLE');
    await expect(event.read((s) => s.version)).rejects.toThrow(/not running/);
  });
});
