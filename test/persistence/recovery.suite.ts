import { Packr } from 'msgpackr';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Directory } from '../../src/actors/directory.ts';
import type { EventHandle } from '../../src/actors/event-handle.ts';
import type { EventSpec, RuntimeDeps } from '../../src/actors/event-runtime.ts';
import { isLegacy, type JournalEntry, type JournalPort, type StoredEntry } from '../../src/actors/ports.ts';
import type { Command } from '../../src/domain/commands.ts';
import { EVENT_SCHEMA } from '../../src/domain/events.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { AVAILABLE, BLOCKED, HELD, NOT_FOR_SALE } from '../../src/domain/seat-status.ts';
import type { EventConfig } from '../../src/domain/state.ts';
import type { Db } from '../../src/persistence/db.ts';
import { DbJournal } from '../../src/persistence/journal.ts';
import { DbSnapshots } from '../../src/persistence/snapshots.ts';
import { sleep } from '../support/actors.ts';
import { CONFIG, fixtureLayout, mulberry32, PRICES, T0 } from '../support/fixture.ts';
import { contiguous, journalRows, type SuiteContext } from './adapters.ts';

// Event actors on the real journal and snapshot adapters: what a Directory acknowledged is
// there after it closes or is taken over, recovered from the latest snapshot plus the
// journal after it, with overdue holds expired (and journaled) at once, idempotency keys
// still answering, and a second owner fencing the first off.

const log = pino({ level: 'silent' });
const code = (o: Outcome) => (o.ok ? 'ok' : o.error.code);
const hold = (holdId: string, fanId: string, seats: number[]): Command => ({
  type: 'hold',
  holdId,
  fanId,
  seats,
});

/** The fixture hall; holds last a minute unless a test says otherwise. */
function spec(eventId: string, config: Partial<EventConfig> = {}): EventSpec {
  return {
    eventId,
    layout: fixtureLayout(),
    prices: PRICES,
    config: { ...CONFIG, holdTtlMs: 60_000, maxHoldMs: 120_000, ...config },
  };
}

const stateBytes = async (h: EventHandle) => Buffer.from((await h.query('encodedState', {})).bytes);
const version = async (h: EventHandle) => (await h.query('availability', {})).version;
/** A fresh event's own first events: its prices, then its sale opening. */
const BASE = 2;

/** Polls until `check` passes (snapshots are saved after the reply, in the background). */
async function eventually(check: () => Promise<void>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await sleep(10);
    }
  }
}

/** Event actors on the migrated database of `ctx`. */
export function recoverySuite(ctx: SuiteContext): void {
  describe('actor recovery', () => {
    let db: Db;
    let live: Directory[] = [];
    let n = 0;
    const newEvent = () => `actor-${++n}`;

    beforeEach(() => {
      db = ctx.db;
    });
    afterEach(async () => {
      const dirs = live;
      live = [];
      for (const d of dirs) await d.close();
    });

    function directory(deps: Partial<Omit<RuntimeDeps, 'commits'>> = {}): Directory {
      const d = new Directory({
        journal: new DbJournal(db),
        snapshots: new DbSnapshots(db),
        log,
        ...deps,
      });
      live.push(d);
      return d;
    }
    async function close(d: Directory): Promise<void> {
      live = live.filter((x) => x !== d);
      await d.close();
    }
    const journalEntries = async (ev: string, after = 0) => {
      const out: StoredEntry[] = [];
      await new DbJournal(db).read(ev, after, (es) => out.push(...es));
      return out;
    };
    /** The events fans and operators caused (not the actor's own start-up events). */
    const userEvents = async (ev: string) =>
      (await journalEntries(ev, BASE)).filter((e): e is JournalEntry => !isLegacy(e));

    it('a journal written before decide/evolve (schema 1: commands) still recovers: its commands are decided again from the old starting state, then the seats of unpriced categories are put right, and new batches are events', async () => {
      const ev = newEvent();
      const journal = new DbJournal(db);
      const epoch = await journal.claim(ev);
      const packr = new Packr({ useRecords: false });
      const row = async (first: number, tuples: unknown[][]) => {
        await db.query(
          'INSERT INTO journal (event_id, first_seq, last_seq, epoch, schema, entries) VALUES ($1, $2, $3, $4, 1, $5)',
          [ev, first, first + tuples.length - 1, epoch, packr.pack(tuples)],
        );
        await db.query('UPDATE event_owners SET last_seq = $2 WHERE event_id = $1', [
          ev,
          first + tuples.length - 1,
        ]);
      };
      await row(1, [
        [1, T0, hold('h1', 'ann', [0, 1])],
        [2, T0 + 1, hold('h2', 'bob', [2]), 'key-2'],
      ]);
      await row(3, [
        [3, T0 + 2, { type: 'block', seats: [16] }],
        [4, T0 + 3, { type: 'holdBest', holdId: 'h3', fanId: 'cat', count: 2 }],
      ]);
      const h = directory({ now: () => T0 + 10 }).open(spec(ev));
      const d = await h.query('dump', {});
      expect(d.holds.map((x) => [x.holdId, x.seats])).toEqual([
        ['h1', [0, 1]],
        ['h2', [2]],
        ['h3', [8, 9]], // best available, decided again as the old code did (3-4 would strand seat 5)
      ]);
      expect([d.status[16], d.status[21], d.status[22], d.status[23]]).toEqual([
        BLOCKED,
        NOT_FOR_SALE,
        NOT_FOR_SALE,
        NOT_FOR_SALE,
      ]);
      expect(d.version).toBe(5); // 4 old commands + the prices that put the unpriced seats right
      expect(code(await h.submitOne(hold('h2', 'bob', [2]), { key: 'key-2' }))).toBe('ok');
      await h.drain();
      const tail = await journalEntries(ev, 4);
      expect(tail.map((e) => (isLegacy(e) ? 'command' : e.event.type))).toEqual(['PricesChanged']);
      expect(
        (
          await db.query<{ schema: number }>(
            'SELECT schema FROM journal WHERE event_id = $1 ORDER BY first_seq',
            [ev],
          )
        ).rows.map((r) => r.schema),
      ).toEqual([1, 1, EVENT_SCHEMA]);
      // A restart reads both schemas again to the same state.
      const before = await stateBytes(h);
      const again = directory({ now: () => T0 + 10 }).open(spec(ev));
      expect((await stateBytes(again)).equals(before)).toBe(true);
    });

    it('commands survive Directory.close() and a reopened database: a new Directory recovers the same bytes', async () => {
      const ev = newEvent();
      const d1 = directory();
      const h1 = d1.open(spec(ev));
      // Submitted in one turn: one actor message, one journal batch, one row.
      await h1.drain();
      const first = await Promise.all([
        h1.submitOne(hold('h1', 'ann', [0, 1])),
        h1.submitOne({
          type: 'holdBest',
          holdId: 'h2',
          fanId: 'bob',
          count: 2,
          filter: { categories: ['A'] },
        }),
        h1.submitOne({ type: 'holdGa', holdId: 'h3', fanId: 'cat', area: 'FLOOR', count: 3 }),
        h1.submitOne({ type: 'block', seats: [16] }),
      ]);
      expect(first.map(code)).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(code(await h1.submitOne({ type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }))).toBe(
        'ok',
      );
      expect(code(await h1.submitOne({ type: 'release', holdId: 'h3', fanId: 'cat' }))).toBe('ok');
      const before = await stateBytes(h1);
      expect(await version(h1)).toBe(BASE + 6);
      const rows = await journalRows(db, ev);
      expect(contiguous(rows)).toBe(true);
      expect(rows.map((r) => [r.first_seq, r.last_seq])).toEqual([
        [1, 2],
        [3, 6],
        [7, 7],
        [8, 8],
      ]);

      await close(d1);
      expect((await new DbSnapshots(db).latest(ev))?.version).toBe(BASE + 6); // the final snapshot
      await db.close();
      ctx.db = db = await ctx.store.openMigrated();

      const d2 = directory();
      const h2 = d2.open(spec(ev));
      expect((await stateBytes(h2)).equals(before)).toBe(true);
      // …and carries on from there.
      expect(code(await h2.submitOne(hold('h4', 'dan', [20])))).toBe('ok');
      expect(await version(h2)).toBe(BASE + 7);
      expect(await new DbJournal(db).lastSeq(ev)).toBe(BASE + 7);
    });

    it('recovers from the latest snapshot plus the journal after it (snapshotEvery 5, 12 commands)', async () => {
      const ev = newEvent();
      const h1 = directory({ snapshotEvery: 5 }).open(spec(ev));
      for (let i = 0; i < 12; i++) expect(code(await h1.submitOne(hold(`h${i}`, `fan${i}`, [i])))).toBe('ok');
      const before = await stateBytes(h1);
      const snapshotVersions = async () =>
        (
          await db.query<{ version: number }>(
            'SELECT version FROM snapshots WHERE event_id = $1 ORDER BY version',
            [ev],
          )
        ).rows.map((r) => r.version);
      await eventually(async () => expect(await snapshotVersions()).toEqual([5, 10]));
      // The journal is the event's history: kept whole, though recovery needs only its tail.
      const rows = await journalRows(db, ev);
      expect(contiguous(rows)).toBe(true);
      expect(rows.at(-1)?.last_seq).toBe(BASE + 12);

      // The first Directory is not closed (no final snapshot): a crash, as far as the data goes.
      const inner = new DbJournal(db);
      const reads: number[] = [];
      const journal: JournalPort = {
        claim: (id) => inner.claim(id),
        append: (id, epoch, es) => inner.append(id, epoch, es),
        read: (id, after, on) => {
          reads.push(after);
          return inner.read(id, after, on);
        },
      };
      const h2 = directory({ journal, snapshotEvery: 5 }).open(spec(ev));
      expect((await stateBytes(h2)).equals(before)).toBe(true);
      expect(reads).toEqual([10]); // snapshot 10, then 11 to 14 from the journal
      expect(code(await h2.submitOne(hold('h12', 'fan12', [12])))).toBe('ok');
      expect(await version(h2)).toBe(BASE + 13);
    });

    it('expires a hold whose deadline passed while down, at once after reopen, and journals that expire', async () => {
      const ev = newEvent();
      const clock = { t: T0 };
      const now = () => clock.t;
      const config = { holdTtlMs: 1000, maxHoldMs: 3000 };
      const d1 = directory({ now });
      const h1 = d1.open(spec(ev, config));
      expect(code(await h1.submitOne(hold('early', 'ann', [0])))).toBe('ok'); // due at T0 + 1000
      clock.t = T0 + 500;
      expect(code(await h1.submitOne(hold('late', 'bob', [1])))).toBe('ok'); // due at T0 + 1500
      await close(d1);

      clock.t = T0 + 1200; // "down" past the first deadline only
      const d2 = directory({ now });
      const h2 = d2.open(spec(ev, config));
      const seen = await h2.query('dump', {});
      expect([seen.version, seen.status[0], seen.status[1], seen.holds.map((h) => h.holdId)]).toEqual([
        BASE + 3,
        AVAILABLE,
        HELD,
        ['late'],
      ]);
      await h2.drain();
      expect(await journalEntries(ev, BASE + 2)).toStrictEqual([
        {
          seq: BASE + 3,
          at: T0 + 1200,
          event: {
            type: 'HoldsExpired',
            holds: [{ holdId: 'early', fanId: 'ann', seats: [0], area: -1, places: 0 }],
          },
          by: 'system',
        },
      ]);
      const after = await stateBytes(h2);
      await close(d2);

      // Reopened again at the same instant: nothing more is due, nothing more is written.
      const h3 = directory({ now }).open(spec(ev, config));
      expect((await stateBytes(h3)).equals(after)).toBe(true);
      await h3.drain();
      expect(await new DbJournal(db).lastSeq(ev)).toBe(BASE + 3);
    });

    it('answers a retried idempotency key after a clean reopen (keys in the snapshot) without advancing', async () => {
      const ev = newEvent();
      const d1 = directory();
      const h1 = d1.open(spec(ev));
      const cmd = hold('h1', 'ann', [2, 3]);
      const first = await h1.submitOne(cmd, { key: 'key-1' });
      expect(code(first)).toBe('ok');
      expect(code(await h1.submitOne(hold('h2', 'bob', [4]), { key: 'key-2' }))).toBe('ok');
      await close(d1);

      const h2 = directory().open(spec(ev));
      expect(await version(h2)).toBe(BASE + 2);
      expect(await h2.submitOne(cmd, { key: 'key-1' })).toEqual(first);
      expect(await version(h2)).toBe(BASE + 2);
      // Without the key, the same command is a new one, and the seats are taken.
      expect(code(await h2.submitOne(cmd))).not.toBe('ok');
      await h2.drain();
      expect(await new DbJournal(db).lastSeq(ev)).toBe(BASE + 2);
    });

    it('answers a retried idempotency key after a crash (keys replayed from the journal) without advancing', async () => {
      const ev = newEvent();
      const h1 = directory().open(spec(ev));
      const cmd = hold('h1', 'ann', [5, 6]);
      const first = await h1.submitOne(cmd, { key: 'key-1' });
      expect(code(first)).toBe('ok');
      expect(await new DbSnapshots(db).latest(ev)).toBeNull(); // nothing but the journal

      const h2 = directory().open(spec(ev)); // takes over without h1 closing
      expect(await version(h2)).toBe(BASE + 1);
      expect(await h2.submitOne(cmd, { key: 'key-1' })).toEqual(first);
      expect(await version(h2)).toBe(BASE + 1);
      expect(await new DbJournal(db).lastSeq(ev)).toBe(BASE + 1);
    });

    it('a second Directory opening the event fences the first off: its next command is UNAVAILABLE and never lands', async () => {
      const ev = newEvent();
      const a = directory().open(spec(ev));
      expect(code(await a.submitOne(hold('h1', 'ann', [0])))).toBe('ok');
      const b = directory().open(spec(ev));
      expect(await version(b)).toBe(BASE + 1); // the new owner recovered ann's hold
      expect(code(await b.submitOne(hold('h3', 'cat', [2])))).toBe('ok');

      const lost = await a.submitOne(hold('h2', 'bob', [1]));
      expect(lost.ok ? 'ok' : lost.error.code).toBe('UNAVAILABLE');

      const rows = await journalRows(db, ev);
      expect(contiguous(rows)).toBe(true);
      // The start-up events and ann's hold under the first epoch; cat's under the new one.
      expect(rows.flatMap((r) => r.seqs.map((q) => [q, r.epoch]))).toEqual([
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 2],
      ]);
      expect((await userEvents(ev)).map((e) => e.event.type === 'SeatsHeld' && e.event.holdId)).toEqual([
        'h1',
        'h3',
      ]);
      // The fenced actor steps down instead of claiming the event back (which would fence the
      // new owner in turn); the new owner carries on undisturbed.
      await expect(a.query('availability', {})).rejects.toThrow(/not running/);
      expect(code(await a.submitOne(hold('h4', 'dan', [3])))).toBe('UNAVAILABLE');
      expect(code(await b.submitOne(hold('h5', 'eve', [4])))).toBe('ok');
      const d = await b.query('dump', {});
      expect([d.version, d.status[1], d.status[2]]).toEqual([BASE + 3, AVAILABLE, HELD]);
    });

    it('two Directories fighting over one event: every acknowledged hold is journaled once, nothing refused is, rows never interleave', async () => {
      const ev = newEvent();
      const handles = [directory().open(spec(ev)), directory().open(spec(ev))];
      const random = mulberry32(11);
      const outcomes = new Map<string, string>();
      await Promise.all(
        handles.map(async (h, side) => {
          for (let i = 0; i < 30; i++) {
            const id = `s${side}-${i}`;
            const out = await h.submitOne(hold(id, `fan-${id}`, [Math.floor(random() * 21)]));
            outcomes.set(id, code(out));
            if (out.ok) {
              const released = await h.submitOne({ type: 'release', holdId: id, fanId: `fan-${id}` });
              outcomes.set(`${id}/release`, code(released));
            }
            if (random() < 0.3) await sleep(1);
          }
        }),
      );
      const codes = [...outcomes.values()];
      expect(codes).toContain('ok');
      expect(codes).toContain('UNAVAILABLE');

      const rows = await journalRows(db, ev);
      expect(contiguous(rows)).toBe(true);
      const journaled = (await userEvents(ev))
        .filter((e) => e.by !== 'system')
        .map((e) =>
          e.event.type === 'HoldReleased'
            ? `${e.event.holdId}/release`
            : (e.event as { holdId: string }).holdId,
        );
      const acknowledged = [...outcomes].filter(([, c]) => c === 'ok').map(([id]) => id);
      expect(new Set(journaled).size).toBe(journaled.length);
      expect([...journaled].sort()).toEqual([...acknowledged].sort());
      // A third owner replays it all: exactly the acknowledged holds whose release was not acknowledged.
      const stillHeld = acknowledged.filter(
        (id) => !id.includes('/') && outcomes.get(`${id}/release`) !== 'ok',
      );
      const c = directory().open(spec(ev));
      const d = await c.query('dump', {});
      expect({ version: d.version, holds: d.holds.map((h) => h.holdId).sort() }).toEqual({
        version: await new DbJournal(db).lastSeq(ev),
        holds: stillHeld.sort(),
      });
    });
  });
}
