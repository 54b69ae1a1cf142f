import { dispatch } from 'nact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActorMsg } from '../../src/actors/event-runtime.ts';
import { decodeSnapshot } from '../../src/actors/snapshot-envelope.ts';
import type { Command } from '../../src/domain/commands.ts';
import { evolve } from '../../src/domain/evolve.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { AVAILABLE, HELD, NOT_FOR_SALE } from '../../src/domain/seat-status.ts';
import { encodeState } from '../../src/domain/snapshot.ts';
import { createState } from '../../src/domain/state.ts';
import {
  EVENT_ID,
  entriesAfter,
  type Harness,
  harness,
  sleep,
  stateBytes,
  statuses,
} from '../support/actors.ts';
import { CONFIG, fixtureLayout } from '../support/fixture.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const holdCmd = (holdId: string, fanId: string, seats: number[]): Command => ({
  type: 'hold',
  holdId,
  fanId,
  seats,
});
const code = (o: Outcome) => (o.ok ? 'ok' : o.error.code);
const version = async (h: Harness) => (await h.event.query('availability', {})).version;

let current: Harness | undefined;
async function setup(...args: Parameters<typeof harness>): Promise<Harness> {
  current = await harness(...args);
  return current;
}

afterEach(async () => {
  const h = current;
  current = undefined;
  if (h) {
    h.journal.open();
    await h.directory.close();
    h.feed.close();
  }
});

describe('event actor: start from the spec', () => {
  it('given a fresh journal, when the actor starts, then it journals the spec prices and sale as its first events, unpriced seats are not for sale, and a restart journals nothing more', async () => {
    const h = await setup();
    expect(h.base).toBe(2);
    await h.event.drain();
    expect(h.journal.entries(EVENT_ID).map((e) => ('event' in e ? [e.seq, e.event.type, e.by] : e))).toEqual([
      [1, 'PricesChanged', 'system'],
      [2, 'SaleChanged', 'system'],
    ]);
    const s = await statuses(h.event);
    expect([s[0], s[21], s[22], s[23]]).toEqual([AVAILABLE, NOT_FOR_SALE, NOT_FOR_SALE, NOT_FOR_SALE]);
    expect((await h.event.query('availability', {})).sale).toBe('open');
    // A crash and recovery from the same spec: nothing to reconcile.
    expect(code(await h.event.submitOne({ type: 'boom' } as unknown as Command))).toBe('UNAVAILABLE');
    expect(await version(h)).toBe(2);
  });
});

describe('event actor: output gate', () => {
  it('given a journal append held open, when a fan holds a seat, then the seat is taken at once but the reply waits for the commit', async () => {
    const h = await setup();
    const { event, journal, batches, base, feed } = h;
    await event.drain();
    feed.tick(); // the start-up events' batch goes out first
    const sent = batches.length;
    journal.hold();
    let reply: Outcome | undefined;
    const p = event.submitOne(holdCmd('h1', 'ann', [0])).then((o) => {
      reply = o;
      return o;
    });
    await vi.waitFor(() => expect(journal.appended.at(-1)?.[0].seq).toBe(base + 1));
    // Applied synchronously: the actor already counts the seat as held…
    expect((await statuses(event))[0]).toBe(HELD);
    await sleep(40); // several ticks
    // …but nothing is acknowledged or broadcast before the batch is durable.
    expect(reply).toBeUndefined();
    expect(entriesAfter(journal, base)).toHaveLength(0);
    expect(batches).toHaveLength(sent);

    journal.open();
    expect(code(await p)).toBe('ok');
    expect(entriesAfter(journal, base).map((e) => e.seq)).toEqual([base + 1]);
    await vi.waitFor(() => expect(batches.at(-1)?.toVersion).toBe(base + 1));
  });

  it('given a journal append held open, when a fan holds a seat, then the durable seat map (what fans are shown) keeps it available until the commit, then shows it at the new version', async () => {
    const { event, journal, base } = await setup();
    await event.drain();
    journal.hold();
    const p = event.submitOne(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended.at(-1)?.[0].seq).toBe(base + 1));
    const live = await event.query('dump', {});
    expect([live.version, live.status[0]]).toEqual([base + 1, HELD]);
    const before = await event.query('seatStatuses', {});
    expect([before.version, before.status[0]]).toEqual([base, AVAILABLE]);
    journal.open();
    expect(code(await p)).toBe('ok');
    const after = await event.query('seatStatuses', {});
    expect([after.version, after.status[0]]).toEqual([base + 1, HELD]);
    expect(before.status[0]).toBe(AVAILABLE); // a copy: later commits do not change what was handed out
  });

  it('given a journal append that fails, when the actor restarts, then the durable seat map never showed the lost hold', async () => {
    const { event, journal, base } = await setup();
    await event.drain();
    journal.hold();
    const p = event.submitOne(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended.at(-1)?.[0].seq).toBe(base + 1));
    expect((await event.query('seatStatuses', {})).status[0]).toBe(AVAILABLE);
    journal.failHeld(new Error('disk gone'));
    expect(code(await p)).toBe('UNAVAILABLE');
    const recovered = await event.query('seatStatuses', {});
    expect([recovered.version, recovered.status[0]]).toEqual([base, AVAILABLE]);
  });

  it('given a batch in flight, when more commands arrive, then their replies (rejections too) wait, and they commit together as the next batch', async () => {
    const { event, journal, base } = await setup();
    await event.drain();
    const appends = journal.appended.length;
    journal.hold();
    const first = event.submitOne(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended).toHaveLength(appends + 1));
    const settled: string[] = [];
    const second = event.submitOne(holdCmd('h2', 'bob', [1])).then((o) => settled.push(`bob:${code(o)}`));
    const loser = event.submitOne(holdCmd('h3', 'cat', [0])).then((o) => settled.push(`cat:${code(o)}`));
    await sleep(30);
    expect(journal.appended).toHaveLength(appends + 1); // one batch at a time
    expect(settled).toEqual([]); // cat's rejection depends on ann's uncommitted hold: it waits too
    journal.open();
    await Promise.all([first, second, loser]);
    expect(settled.sort()).toEqual(['bob:ok', 'cat:SEAT_UNAVAILABLE']);
    expect(journal.appended.slice(appends).map((b) => b.map((e) => e.seq))).toEqual([[base + 1], [base + 2]]);
  });
});

describe('event actor: ordering on one handle', () => {
  it('given a command submitted in this turn, when a query follows right after, then the query sees it', async () => {
    const { event } = await setup();
    void event.submitOne(holdCmd('h1', 'ann', [0]));
    expect((await statuses(event))[0]).toBe(HELD);
  });

  it('given commands submitted in this turn, when drained right after, then they are committed, not dropped', async () => {
    const { event, journal, directory, base } = await setup();
    const a = event.submitOne(holdCmd('h1', 'ann', [0]));
    const b = event.submitOne(holdCmd('h2', 'bob', [1]));
    await directory.close();
    expect([code(await a), code(await b)]).toEqual(['ok', 'ok']);
    expect(entriesAfter(journal, base).map((e) => e.seq)).toEqual([base + 1, base + 2]);
  });

  it('given singles, batches and queries in one turn, when they reach the actor, then as one command message and one query message, each caller gets its own outcomes in order, and the queries see every command', async () => {
    const { event, base } = await setup();
    const kinds: string[] = [];
    const runtime = event.runtime!;
    const handle = runtime.handle.bind(runtime);
    runtime.handle = (msg) => {
      kinds.push(msg.kind === 'submit' ? `submit×${msg.envelopes.length}` : msg.kind);
      handle(msg);
    };
    const a = event.submitOne(holdCmd('a', 'ann', [0]));
    const many = event.submit([
      { command: holdCmd('b', 'bob', [1]) },
      { command: holdCmd('c', 'cat', [0]) }, // ann has it: rejected
    ]);
    const seen = statuses(event);
    const d = event.submitOne(holdCmd('d', 'dan', [2]));
    const seen2 = event.query('availability', {});
    expect(code(await a)).toBe('ok');
    expect((await many).map(code)).toEqual(['ok', 'SEAT_UNAVAILABLE']);
    expect(code(await d)).toBe('ok');
    expect((await seen).slice(0, 3)).toEqual([HELD, HELD, HELD]);
    expect((await seen2).version).toBe(base + 3);
    expect(kinds).toEqual(['submit×4', 'query']);
  });
});

describe('event actor: queries', () => {
  it('given holds and an order, when asked by name, then plain answers come back: a fan’s live holds, one hold, one order, availability', async () => {
    const { event } = await setup();
    await event.submitOne(holdCmd('h1', 'ann', [0, 1]));
    await event.submitOne({ type: 'holdGa', holdId: 'g1', fanId: 'ann', area: 'FLOOR', count: 2 });
    await event.submitOne(holdCmd('h2', 'bob', [5]));
    await event.submitOne({ type: 'book', holdId: 'h2', fanId: 'bob', orderId: 'o1' });
    const mine = await event.query('holdsOf', { fanId: 'ann' });
    expect(mine.map((h) => [h.holdId, h.seats, h.area, h.places])).toEqual([
      ['h1', [0, 1], null, 0],
      ['g1', [], 'FLOOR', 2],
    ]);
    expect(await event.query('holdsOf', { fanId: 'nobody' })).toEqual([]);
    expect((await event.query('hold', { holdId: 'g1' }))?.fanId).toBe('ann');
    expect(await event.query('hold', { holdId: 'h2' })).toBeNull(); // booked
    expect(await event.query('order', { orderId: 'o1' })).toEqual({
      orderId: 'o1',
      fanId: 'bob',
      seats: [{ seat: 5, fanId: 'bob' }],
      places: {},
    });
    const a = await event.query('availability', {});
    expect(a.seats).toMatchObject({ held: 2, booked: 1, notForSale: 3 });
    expect(a.areas.find((x) => x.id === 'FLOOR')?.available).toBe(8);
    expect(a.prices).toEqual({ A: 5000, B: 3000 });
    expect(await event.query('availableToHold', {})).toBe(21 - 3 + 8);
    expect(await event.query('taken', {})).toBe(3 + 2);
    await expect(event.query('nope' as 'taken', {})).rejects.toThrow(/unknown query/);
  });
});

describe('event actor: journal failure', () => {
  it('given a committed hold, when the next append fails, then that batch gets UNAVAILABLE and the actor recovers to the durable state', async () => {
    const { event, journal, resets, base } = await setup();
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0]), { key: 'k-ann' }))).toBe('ok');
    const firstRuntime = event.runtime;

    journal.failNext = new Error('disk on fire');
    const failed = await event.submit([
      { command: holdCmd('h2', 'bob', [1]), key: 'k-bob' },
      { command: holdCmd('h3', 'cat', [2]) },
    ]);
    expect(failed.map(code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);

    const after = await event.query('dump', {});
    expect([after.version, after.status[0], after.status[1], after.status[2]]).toEqual([
      base + 1,
      HELD,
      AVAILABLE,
      AVAILABLE,
    ]);
    expect(event.runtime).not.toBe(firstRuntime);
    expect(resets).toEqual([base + 1]); // the restart, not the first start
    expect(entriesAfter(journal, base).map((e) => e.event)).toEqual([
      {
        type: 'SeatsHeld',
        holdId: 'h1',
        fanId: 'ann',
        seats: [0],
        together: true,
        createdAt: expect.any(Number),
        expiresAt: expect.any(Number),
      },
    ]);

    // The client retries with the same key: it was not applied, so now it is.
    expect(code(await event.submitOne(holdCmd('h2', 'bob', [1]), { key: 'k-bob' }))).toBe('ok');
    // The earlier key still answers with its first outcome, without a new entry.
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0]), { key: 'k-ann' }))).toBe('ok');
    expect(entriesAfter(journal, base).map((e) => e.seq)).toEqual([base + 1, base + 2]);
  });

  it('given an append that fails while a query and a drain are on their way, when the actor restarts, then both still settle', async () => {
    const { event, journal, base } = await setup();
    await event.drain();
    journal.hold();
    const p = event.submitOne(holdCmd('h1', 'ann', [0]));
    await vi.waitFor(() => expect(journal.appended.at(-1)?.[0].seq).toBe(base + 1));
    // Dispatched now, handled after the failure below has killed the runtime.
    const query = event.query('availability', {}).then((a) => a.version);
    const drain = event.drain().then(() => 'drained');
    journal.failHeld(new Error('connection reset'));
    expect(code(await p)).toBe('UNAVAILABLE');
    const timeout = sleep(2000).then(() => 'timed out');
    expect(await Promise.race([query, timeout])).toBe(base);
    expect(await Promise.race([drain, timeout])).toBe('drained');
  });
});

describe('event actor: crash and supervision', () => {
  it('given a snapshot and journal entries after it, when a command handler throws, then the actor restarts from snapshot + journal to the same state', async () => {
    const { event, journal, snapshots, resets, base } = await setup({ deps: { snapshotEvery: 3 } });
    for (const [i, fan] of ['ann', 'bob', 'cat', 'dan'].entries()) {
      expect(code(await event.submitOne(holdCmd(`h${i}`, fan, [i])))).toBe('ok');
    }
    // Every third version: the last at the fourth hold.
    await vi.waitFor(async () => expect((await snapshots.latest(EVENT_ID))?.version).toBe(base + 4));
    expect(
      code(await event.submitOne({ type: 'holdGa', holdId: 'g', fanId: 'eve', area: 'FLOOR', count: 2 })),
    ).toBe('ok');
    const before = await stateBytes(event);
    const firstRuntime = event.runtime;

    // A bug: a command no handler knows makes decide() throw inside the actor. The other
    // command of the same message was applied to the torn state and must vanish with it.
    const out = await event.submit([
      { command: holdCmd('hx', 'fay', [10]) },
      { command: { type: 'explode' } as unknown as Command },
    ]);
    expect(out.map(code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);

    const after = await stateBytes(event);
    expect(event.runtime).not.toBe(firstRuntime);
    expect(same(after, before)).toBe(true);
    expect((await statuses(event))[10]).toBe(AVAILABLE);
    expect(journal.reads).toEqual([0, base + 4]); // the restart evolved only what followed the snapshot
    expect(resets).toEqual([base + 5]);
    expect(code(await event.submitOne(holdCmd('hy', 'fay', [10])))).toBe('ok');
  });
});

describe('event actor: the commit stream', () => {
  it('given commits, when a live subscriber throws on one, then the actor keeps serving, later batches still reach it, and it is told which versions it missed', async () => {
    const h = await setup();
    const seen: number[] = [];
    const failed: [number, number][] = [];
    let throwOn = -1;
    h.directory.commits.subscribe({
      name: 'flaky',
      committed: (b) => {
        if (b.fromVersion === throwOn) throw new Error('subscriber bug');
        seen.push(b.toVersion);
      },
      failed: (_id, from, to) => failed.push([from, to]),
    });
    throwOn = h.base + 2;
    for (let i = 0; i < 3; i++)
      expect(code(await h.event.submitOne(holdCmd(`h${i}`, 'ann', [i])))).toBe('ok');
    expect(seen).toEqual([h.base + 1, h.base + 3]);
    expect(failed).toEqual([[h.base + 2, h.base + 2]]);
    // Every batch reached the other subscribers, typed, in order, gap-free.
    const versions = h.commits.flatMap((b) => b.entries.map((e) => e.seq));
    expect(versions).toEqual(Array.from({ length: h.base + 3 }, (_, i) => i + 1));
    expect(h.commits.at(-1)?.entries[0].event).toMatchObject({ type: 'SeatsHeld', holdId: 'h2', seats: [2] });
  });

  it('given a durable subscriber that fails, when it is retried, then it resumes from its own checkpoint and applies every event exactly once in order', async () => {
    const h = await setup();
    const applied: number[] = [];
    let fail = true;
    h.directory.commits.follow({
      name: 'projection',
      checkpoint: async () => applied.at(-1) ?? 0,
      apply: async (b) => {
        if (fail && b.entries.some((e) => e.event.type === 'SeatsBooked')) {
          fail = false;
          throw new Error('database away');
        }
        for (const e of b.entries) applied.push(e.seq);
      },
    });
    await h.event.submitOne(holdCmd('h1', 'ann', [0]));
    await h.event.submitOne({ type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' });
    await h.event.submitOne(holdCmd('h2', 'bob', [1]));
    // It joined after the start-up events: it caught up on them from the journal.
    await vi.waitFor(() => expect(applied).toEqual(Array.from({ length: h.base + 3 }, (_, i) => i + 1)), {
      timeout: 3000,
    });
  });
});

describe('event actor: coalesced, versioned deltas', () => {
  it('given a tick that does not fire on its own, when a seat changes three times across three commits, then one batch carries its latest status once', async () => {
    const { event, batches, feed, base } = await setup({ tickMs: 3_600_000 });
    await event.drain();
    feed.tick();
    batches.length = 0;
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0])))).toBe('ok');
    expect(code(await event.submitOne({ type: 'release', holdId: 'h1', fanId: 'ann' }))).toBe('ok');
    expect(code(await event.submitOne(holdCmd('h2', 'bob', [0, 1])))).toBe('ok');
    expect(batches).toEqual([]);
    feed.tick();
    expect(batches).toEqual([
      {
        eventId: EVENT_ID,
        fromVersion: base + 1,
        toVersion: base + 3,
        seats: [0, HELD, 1, HELD],
        areas: [],
        committedAt: expect.any(Number),
      },
    ]);

    expect(
      code(await event.submitOne({ type: 'holdGa', holdId: 'g', fanId: 'cat', area: 'FLOOR', count: 3 })),
    ).toBe('ok');
    expect(code(await event.submitOne({ type: 'release', holdId: 'g', fanId: 'cat' }))).toBe('ok');
    feed.tick();
    expect(batches[1]).toEqual({
      eventId: EVENT_ID,
      fromVersion: base + 4,
      toVersion: base + 5,
      seats: [],
      areas: [0, 10],
      committedAt: expect.any(Number),
    });
  });

  it('given commands spread over many ticks, when the batches are collected, then versions are contiguous and replaying them gives the final seat map', async () => {
    const { event, batches, feed } = await setup({ tickMs: 5 });
    const fans = ['ann', 'bob', 'cat', 'dan'];
    for (let i = 0; i < 40; i++) {
      const seat = (i * 7) % 16;
      const fan = fans[i % 4];
      void event.submitOne(holdCmd(`h${i}`, fan, [seat]));
      if (i % 3 === 0)
        void event.submitOne({ type: 'release', holdId: `h${i - 3}`, fanId: fans[(i - 3 + 4) % 4] });
      if (i % 5 === 0) await sleep(6);
      else await new Promise((r) => setImmediate(r));
    }
    await event.drain();
    feed.tick();
    const final = await event.query('dump', {});
    expect(final.version).toBeGreaterThan(10);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches[0].fromVersion).toBe(1);
    for (let i = 1; i < batches.length; i++)
      expect(batches[i].fromVersion).toBe(batches[i - 1].toVersion + 1);
    expect(batches.at(-1)?.toVersion).toBe(final.version);
    // The genesis: nothing priced, so every seat starts not for sale.
    const seen = new Array<number>(final.status.length).fill(NOT_FOR_SALE);
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
  it('given a 50 ms hold time, when nobody touches the hold, then the actor timer expires it, journals the expiry and broadcasts it', async () => {
    const { event, journal, batches, base } = await setup({ config: { holdTtlMs: 50, maxHoldMs: 100 } });
    const out = await event.submitOne(holdCmd('h1', 'ann', [0, 1]));
    expect(code(out)).toBe('ok');
    expect((await statuses(event))[0]).toBe(HELD);
    await vi.waitFor(
      () =>
        expect(entriesAfter(journal, base).map((e) => e.event.type)).toEqual(['SeatsHeld', 'HoldsExpired']),
      { timeout: 3000 },
    );
    const [hold, expire] = entriesAfter(journal, base);
    expect(expire.at).toBeGreaterThanOrEqual(hold.at + 50);
    expect(expire.seq).toBe(base + 2);
    expect(expire.event).toEqual({
      type: 'HoldsExpired',
      holds: [{ holdId: 'h1', fanId: 'ann', seats: [0, 1], area: -1, places: 0 }],
    });
    const s = await event.query('dump', {});
    expect([s.status[0], s.status[1], s.holds.length]).toEqual([AVAILABLE, AVAILABLE, 0]);
    await vi.waitFor(() => expect(batches.at(-1)?.toVersion).toBe(base + 2));
    expect(batches.at(-1)?.seats).toEqual(expect.arrayContaining([0, AVAILABLE, 1, AVAILABLE]));
  });

  it('given an extended hold, when its first deadline passes, then the timer re-arms and expires it only at the new deadline', async () => {
    const { event, journal, base } = await setup({ config: { holdTtlMs: 100, maxHoldMs: 2000 } });
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0])))).toBe('ok');
    expect(code(await event.submitOne({ type: 'extendHold', holdId: 'h1', fanId: 'ann', byMs: 400 }))).toBe(
      'ok',
    );
    const deadline = (await event.query('hold', { holdId: 'h1' }))!.expiresAt;
    await sleep(200);
    expect(
      entriesAfter(journal, base).filter((e) => e.event.type === 'HoldsExpired' && e.at < deadline),
    ).toEqual([]);
    await vi.waitFor(
      () => expect(entriesAfter(journal, base).map((e) => e.event.type)).toContain('HoldsExpired'),
      { timeout: 3000 },
    );
    expect(entriesAfter(journal, base).at(-1)!.at).toBeGreaterThanOrEqual(deadline);
  });

  it('given a hold past its deadline on a fake clock, when any command arrives, then the expiry is journaled first and frees the seat for it', async () => {
    let clock = 5_000_000;
    const { event, journal, base } = await setup({ deps: { now: () => clock } });
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0])))).toBe('ok');
    clock += 60_000; // holdTtlMs in the harness
    expect(code(await event.submitOne(holdCmd('h2', 'bob', [0])))).toBe('ok');
    expect(entriesAfter(journal, base).map((e) => [e.seq - base, e.event.type, e.at, e.by])).toEqual([
      [1, 'SeatsHeld', 5_000_000, undefined],
      [2, 'HoldsExpired', 5_060_000, 'system'],
      [3, 'SeatsHeld', 5_060_000, undefined],
    ]);
  });

  it('given a hold that fell due while the actor was down, when it recovers, then the overdue hold is expired and journaled', async () => {
    let clock = 5_000_000;
    const { event, journal, base } = await setup({ deps: { now: () => clock } });
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0])))).toBe('ok');
    clock += 61_000;
    expect(code(await event.submitOne({ type: 'nope' } as unknown as Command))).toBe('UNAVAILABLE'); // crash
    // The first thing the recovered actor answers already sees the seat free.
    expect((await statuses(event))[0]).toBe(AVAILABLE);
    await vi.waitFor(() =>
      expect(entriesAfter(journal, base).map((e) => e.event.type)).toEqual(['SeatsHeld', 'HoldsExpired']),
    );
    expect(entriesAfter(journal, base)[1].at).toBe(5_061_000);
  });
});

describe('event actor: idempotency keys', () => {
  it('given a command accepted under a key, when the same key comes again (even with another command), then the first outcome is returned and nothing is re-applied', async () => {
    const { event, journal, base } = await setup();
    const first = await event.submitOne(holdCmd('h1', 'ann', [0]), { key: 'key-1' });
    expect(code(first)).toBe('ok');
    const again = await event.submitOne(holdCmd('h1', 'ann', [0]), { key: 'key-1' });
    expect(again).toEqual(first); // not HOLD_EXISTS: it was not applied twice
    const other = await event.submitOne(holdCmd('h9', 'bob', [5]), { key: 'key-1' });
    expect(other).toEqual(first);
    const s = await event.query('dump', {});
    expect([s.version, s.status[5]]).toEqual([base + 1, AVAILABLE]);
    expect(entriesAfter(journal, base)).toEqual([
      expect.objectContaining({
        seq: base + 1,
        key: 'key-1',
        event: expect.objectContaining({ holdId: 'h1' }),
      }),
    ]);
  });

  it('given the same key twice in one message, when applied, then the second gets the first outcome', async () => {
    const { event, base } = await setup();
    const outs = await event.submit([
      { command: holdCmd('h1', 'ann', [0]), key: 'k' },
      { command: holdCmd('h1', 'ann', [0]), key: 'k' },
    ]);
    expect(outs[1]).toEqual(outs[0]);
    expect(code(outs[0])).toBe('ok');
    expect((await event.query('availability', {})).version).toBe(base + 1);
  });

  it('given a keyed command and then a crash, when the key is retried, then the evolved journal still knows it and answers the same', async () => {
    const { event, base } = await setup();
    const first = await event.submitOne(holdCmd('h1', 'ann', [0]), { key: 'key-1' });
    expect(code(await event.submitOne({ type: 'boom' } as unknown as Command))).toBe('UNAVAILABLE');
    expect(await event.submitOne(holdCmd('h1', 'ann', [0]), { key: 'key-1' })).toEqual(first);
    expect((await event.query('availability', {})).version).toBe(base + 1);
  });
});

describe('event actor: drain and snapshots', () => {
  it('given a few committed commands and no snapshot yet, when drained, then a snapshot of exactly the live state is saved', async () => {
    const { event, snapshots, base } = await setup();
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0, 1])))).toBe('ok');
    expect(code(await event.submitOne({ type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }))).toBe(
      'ok',
    );
    expect(code(await event.submitOne({ type: 'block', seats: [20] }))).toBe('ok');
    expect(await snapshots.latest(EVENT_ID)).toBeNull();
    await event.drain();
    const snap = await snapshots.latest(EVENT_ID);
    expect(snap?.version).toBe(base + 3);
    const live = await stateBytes(event);
    const stored = decodeSnapshot(fixtureLayout(), snap!.bytes);
    expect(same(encodeState(stored.state), live)).toBe(true);
    expect(stored.state.version).toBe(base + 3);
  });

  it('given a command with an idempotency key before a snapshot, when the actor restarts from it, then a retry gets the first outcome', async () => {
    const { event, journal, snapshots, base } = await setup();
    const first = await event.submitOne(holdCmd('h1', 'ann', [0, 1]), { key: 'key-1' });
    expect(code(first)).toBe('ok');
    await event.drain();
    expect((await snapshots.latest(EVENT_ID))?.version).toBe(base + 1);
    // Even with the journal before the snapshot gone, the key comes from the snapshot itself.
    journal.entries(EVENT_ID).length = 0;
    expect(code(await event.submitOne({ type: 'boom' } as unknown as Command))).toBe('UNAVAILABLE'); // crash
    const retry = await event.submitOne(holdCmd('h1', 'ann', [0, 1]), { key: 'key-1' });
    expect(retry).toEqual(first);
    expect((await event.query('availability', {})).version).toBe(base + 1);
  });

  it('given the journal of a run, when its events are evolved on the genesis state, then they rebuild the bytes of the live state', async () => {
    const { event, journal } = await setup();
    await event.submitOne(holdCmd('h1', 'ann', [0, 1]));
    await event.submitOne({ type: 'holdGa', holdId: 'g1', fanId: 'bob', area: 'FLOOR', count: 3 });
    await event.submitOne({ type: 'book', holdId: 'g1', fanId: 'bob', orderId: 'o1' });
    await event.submitOne({ type: 'setSale', status: 'paused' });
    await event.drain();
    const genesis = createState(
      fixtureLayout(),
      {},
      { ...CONFIG, holdTtlMs: 60_000, maxHoldMs: 120_000 },
      { sale: 'closed' },
    );
    for (const e of entriesAfter(journal, 0)) evolve(genesis, e.event, { deltas: [], areas: [] });
    expect(same(encodeState(genesis), await stateBytes(event))).toBe(true);
  });
});

describe('event actor: bad commands', () => {
  it('given an open event, when commands break the rules, then each gets its typed code and none is journaled', async () => {
    const { event, journal, base } = await setup();
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0])))).toBe('ok');
    const outs = await Promise.all([
      event.submitOne(holdCmd('h2', 'bob', [999])),
      event.submitOne({ type: 'release', holdId: 'h1', fanId: 'bob' }),
      event.submitOne(holdCmd('h3', 'cat', [1, 2, 3, 4, 5])),
      event.submitOne({ type: 'holdGa', holdId: 'h4', fanId: 'ann', area: 'FLOOR', count: 4 }),
      event.submitOne({ type: 'holdGa', holdId: 'h5', fanId: 'ann', area: 'FLOOR', count: 2 }),
      event.submitOne({ type: 'book', holdId: 'h404', fanId: 'ann', orderId: 'o1' }),
      event.submitOne(holdCmd('h6', 'dan', [13])),
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
    expect(entriesAfter(journal, base).map((e) => e.event.type)).toEqual(['SeatsHeld', 'PlacesHeld']);
    expect((await event.query('availability', {})).version).toBe(base + 2);
  });

  it('given a stopped handle, when a command is submitted, then UNAVAILABLE, and queries are refused', async () => {
    const { event, directory } = await setup();
    await directory.close();
    expect(code(await event.submitOne(holdCmd('h1', 'ann', [0])))).toBe('UNAVAILABLE');
    await expect(event.query('availability', {})).rejects.toThrow(/not running/);
    expect(event.status).toBe('stopped');
  });

  it('given a crash injected from outside, when the actor restarts, then it answers again at the same version', async () => {
    const { event, base } = await setup();
    await event.submitOne(holdCmd('h1', 'ann', [0]));
    dispatch(event.ref, { kind: 'fatal', error: new Error('injected') } as ActorMsg);
    expect((await event.query('availability', {})).version).toBe(base + 1);
  });
});
