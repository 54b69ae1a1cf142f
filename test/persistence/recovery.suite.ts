import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Directory, type EventHandle } from '../../src/actors/directory.ts';
import type { EventSpec, RuntimeDeps } from '../../src/actors/event-runtime.ts';
import { type JournalEntry, type JournalPort, noDeltas } from '../../src/actors/ports.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { AVAILABLE, HELD } from '../../src/domain/seat-status.ts';
import { encodeState } from '../../src/domain/snapshot.ts';
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

const stateBytes = (h: EventHandle) => h.read((s) => Buffer.from(encodeState(s)));
const version = (h: EventHandle) => h.read((s) => s.version);

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

    function directory(deps: Partial<RuntimeDeps> = {}): Directory {
      const d = new Directory({
        journal: new DbJournal(db),
        snapshots: new DbSnapshots(db),
        deltas: noDeltas,
        log,
        tickMs: 10,
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
      const out: JournalEntry[] = [];
      await new DbJournal(db).read(ev, after, (es) => out.push(...es));
      return out;
    };

    it('commands survive Directory.close() and a reopened database: a new Directory recovers the same bytes', async () => {
      const ev = newEvent();
      const d1 = directory();
      const h1 = d1.open(spec(ev));
      // Submitted in one turn: one actor message, one journal batch, one row.
      const first = await Promise.all([
        h1.submit(hold('h1', 'ann', [0, 1])),
        h1.submit({ type: 'holdBest', holdId: 'h2', fanId: 'bob', count: 2, filter: { categories: ['A'] } }),
        h1.submit({ type: 'holdGa', holdId: 'h3', fanId: 'cat', area: 'FLOOR', count: 3 }),
        h1.submit({ type: 'block', seats: [16] }),
      ]);
      expect(first.map(code)).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(code(await h1.submit({ type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }))).toBe('ok');
      expect(code(await h1.submit({ type: 'release', holdId: 'h3', fanId: 'cat' }))).toBe('ok');
      const before = await stateBytes(h1);
      expect(await version(h1)).toBe(6);
      const rows = await journalRows(db, ev);
      expect(contiguous(rows)).toBe(true);
      expect(rows.map((r) => [r.first_seq, r.last_seq])).toEqual([
        [1, 4],
        [5, 5],
        [6, 6],
      ]);

      await close(d1);
      expect((await new DbSnapshots(db).latest(ev))?.version).toBe(6); // the final snapshot
      await db.close();
      ctx.db = db = await ctx.store.openMigrated();

      const d2 = directory();
      const h2 = d2.open(spec(ev));
      expect((await stateBytes(h2)).equals(before)).toBe(true);
      // …and carries on from there.
      expect(code(await h2.submit(hold('h4', 'dan', [20])))).toBe('ok');
      expect(await version(h2)).toBe(7);
      expect(await new DbJournal(db).lastSeq(ev)).toBe(7);
    });

    it('recovers from the latest snapshot plus the journal after it (snapshotEvery 5, 12 commands)', async () => {
      const ev = newEvent();
      const h1 = directory({ snapshotEvery: 5 }).open(spec(ev));
      for (let i = 0; i < 12; i++) expect(code(await h1.submit(hold(`h${i}`, `fan${i}`, [i])))).toBe('ok');
      const before = await stateBytes(h1);
      const snapshotVersions = async () =>
        (
          await db.query<{ version: number }>(
            'SELECT version FROM snapshots WHERE event_id = $1 ORDER BY version',
            [ev],
          )
        ).rows.map((r) => r.version);
      await eventually(async () => expect(await snapshotVersions()).toEqual([5, 10]));
      // The journal is pruned up to the older snapshot: replay from zero is impossible.
      expect((await journalRows(db, ev)).map((r) => r.first_seq)).toEqual([6, 7, 8, 9, 10, 11, 12]);

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
      expect(reads).toEqual([10]); // snapshot 10, then 11 and 12 from the journal
      expect(code(await h2.submit(hold('h12', 'fan12', [12])))).toBe('ok');
      expect(await version(h2)).toBe(13);
    });

    it('expires a hold whose deadline passed while down, at once after reopen, and journals that expire', async () => {
      const ev = newEvent();
      const clock = { t: T0 };
      const now = () => clock.t;
      const config = { holdTtlMs: 1000, maxHoldMs: 3000 };
      const d1 = directory({ now });
      const h1 = d1.open(spec(ev, config));
      expect(code(await h1.submit(hold('early', 'ann', [0])))).toBe('ok'); // due at T0 + 1000
      clock.t = T0 + 500;
      expect(code(await h1.submit(hold('late', 'bob', [1])))).toBe('ok'); // due at T0 + 1500
      await close(d1);

      clock.t = T0 + 1200; // "down" past the first deadline only
      const d2 = directory({ now });
      const h2 = d2.open(spec(ev, config));
      const seen = await h2.read((s) => ({
        version: s.version,
        seats: [s.status[0], s.status[1]],
        holds: [...s.holds.keys()],
      }));
      expect(seen).toEqual({ version: 3, seats: [AVAILABLE, HELD], holds: ['late'] });
      await h2.drain();
      expect(await journalEntries(ev, 2)).toStrictEqual([
        { seq: 3, at: T0 + 1200, command: { type: 'expire' } },
      ]);
      const after = await stateBytes(h2);
      await close(d2);

      // Reopened again at the same instant: nothing more is due, nothing more is written.
      const h3 = directory({ now }).open(spec(ev, config));
      expect((await stateBytes(h3)).equals(after)).toBe(true);
      await h3.drain();
      expect(await new DbJournal(db).lastSeq(ev)).toBe(3);
    });

    it('answers a retried idempotency key after a clean reopen (keys in the snapshot) without advancing', async () => {
      const ev = newEvent();
      const d1 = directory();
      const h1 = d1.open(spec(ev));
      const cmd = hold('h1', 'ann', [2, 3]);
      const first = await h1.submit(cmd, 'key-1');
      expect(code(first)).toBe('ok');
      expect(code(await h1.submit(hold('h2', 'bob', [4]), 'key-2'))).toBe('ok');
      await close(d1);

      const h2 = directory().open(spec(ev));
      expect(await version(h2)).toBe(2);
      expect(await h2.submit(cmd, 'key-1')).toEqual(first);
      expect(await version(h2)).toBe(2);
      // Without the key, the same command is a new one, and the seats are taken.
      expect(code(await h2.submit(cmd))).not.toBe('ok');
      await h2.drain();
      expect(await new DbJournal(db).lastSeq(ev)).toBe(2);
    });

    it('answers a retried idempotency key after a crash (keys replayed from the journal) without advancing', async () => {
      const ev = newEvent();
      const h1 = directory().open(spec(ev));
      const cmd = hold('h1', 'ann', [5, 6]);
      const first = await h1.submit(cmd, 'key-1');
      expect(code(first)).toBe('ok');
      expect(await new DbSnapshots(db).latest(ev)).toBeNull(); // nothing but the journal

      const h2 = directory().open(spec(ev)); // takes over without h1 closing
      expect(await version(h2)).toBe(1);
      expect(await h2.submit(cmd, 'key-1')).toEqual(first);
      expect(await version(h2)).toBe(1);
      expect(await new DbJournal(db).lastSeq(ev)).toBe(1);
    });

    it('a second Directory opening the event fences the first off: its next command is UNAVAILABLE and never lands', async () => {
      const ev = newEvent();
      const a = directory().open(spec(ev));
      expect(code(await a.submit(hold('h1', 'ann', [0])))).toBe('ok');
      const b = directory().open(spec(ev));
      expect(await version(b)).toBe(1); // the new owner recovered ann's hold
      expect(code(await b.submit(hold('h3', 'cat', [2])))).toBe('ok');

      const lost = await a.submit(hold('h2', 'bob', [1]));
      expect(lost.ok ? 'ok' : lost.error.code).toBe('UNAVAILABLE');

      const rows = await journalRows(db, ev);
      expect(contiguous(rows)).toBe(true);
      expect(rows.map((r) => [r.first_seq, r.epoch])).toEqual([
        [1, 1],
        [2, 2],
      ]);
      expect((await journalEntries(ev)).map((e) => e.command)).toEqual([
        hold('h1', 'ann', [0]),
        hold('h3', 'cat', [2]),
      ]);
      // The fenced actor steps down instead of claiming the event back (which would fence the
      // new owner in turn); the new owner carries on undisturbed.
      await expect(a.read((s) => s.version)).rejects.toThrow(/not running/);
      expect(code(await a.submit(hold('h4', 'dan', [3])))).toBe('UNAVAILABLE');
      expect(code(await b.submit(hold('h5', 'eve', [4])))).toBe('ok');
      expect(await b.read((s) => [s.version, s.status[1], s.status[2]])).toEqual([3, AVAILABLE, HELD]);
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
            const out = await h.submit(hold(id, `fan-${id}`, [Math.floor(random() * 21)]));
            outcomes.set(id, code(out));
            if (out.ok) {
              const released = await h.submit({ type: 'release', holdId: id, fanId: `fan-${id}` });
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
      const journaled = (await journalEntries(ev)).map((e) =>
        e.command.type === 'release'
          ? `${e.command.holdId}/release`
          : (e.command as { holdId: string }).holdId,
      );
      const acknowledged = [...outcomes].filter(([, c]) => c === 'ok').map(([id]) => id);
      expect(new Set(journaled).size).toBe(journaled.length);
      expect([...journaled].sort()).toEqual([...acknowledged].sort());
      // A third owner replays it all: exactly the acknowledged holds whose release was not acknowledged.
      const stillHeld = acknowledged.filter(
        (id) => !id.includes('/') && outcomes.get(`${id}/release`) !== 'ok',
      );
      const c = directory().open(spec(ev));
      expect(await c.read((s) => ({ version: s.version, holds: [...s.holds.keys()].sort() }))).toEqual({
        version: journaled.length,
        holds: stillHeld.sort(),
      });
    });
  });
}
