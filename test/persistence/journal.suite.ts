import { Packr } from 'msgpackr';
import { beforeEach, describe, expect, it } from 'vitest';
import { FencingError, type JournalEntry, type StoredEntry } from '../../src/actors/ports.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { Db } from '../../src/persistence/db.ts';
import { DbJournal, encodeEntries } from '../../src/persistence/journal.ts';
import { DbSnapshots } from '../../src/persistence/snapshots.ts';
import { mulberry32, T0 } from '../support/fixture.ts';
import { contiguous, journalRows, type SuiteContext } from './adapters.ts';

// The journal and snapshot adapters on both databases: fencing by epoch and sequence in the
// one appending statement, gap-free reads of events (and of the commands journals of schema 1
// held), and snapshots that leave the journal alone unless a retention period says otherwise.

/**
 * A varied event for sequence number `seq`; every third entry carries an idempotency key,
 * every fifth says who asked.
 */
export function entry(seq: number, tag = 'w'): JournalEntry {
  const events: DomainEvent[] = [
    {
      type: 'SeatsHeld',
      holdId: `${tag}-h${seq}`,
      fanId: `fan${seq % 7}`,
      seats: [seq % 20, (seq + 1) % 20],
      together: true,
      createdAt: T0 + seq,
      expiresAt: T0 + seq + 600_000,
    },
    {
      type: 'PlacesHeld',
      holdId: `${tag}-g${seq}`,
      fanId: 'fan-ü',
      area: 0,
      places: 2,
      createdAt: T0,
      expiresAt: T0 + 1,
    },
    {
      type: 'SeatsBooked',
      orderId: `${tag}-o${seq}`,
      holdId: `${tag}-h${seq - 1}`,
      fanId: 'fan1',
      seats: [1, 2],
      area: -1,
      places: 0,
    },
    { type: 'SaleChanged', sale: 'paused' },
    {
      type: 'HoldsExpired',
      holds: [{ holdId: `${tag}-x${seq}`, fanId: 'fan2', seats: [], area: 1, places: 3 }],
    },
  ];
  const e: JournalEntry = { seq, at: T0 + seq, event: events[seq % events.length] };
  if (seq % 3 === 0) e.key = `key-${tag}-${seq}`;
  if (seq % 5 === 0) e.by = `operator-${tag}`;
  return e;
}
export const entries = (from: number, to: number, tag?: string) =>
  Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, tag));

async function readAll(journal: DbJournal, eventId: string, afterSeq = 0) {
  const chunks: StoredEntry[][] = [];
  await journal.read(eventId, afterSeq, (es) => chunks.push(es));
  return { chunks, entries: chunks.flat(), seqs: chunks.flat().map((e) => e.seq) };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

/** The journal and snapshot adapters, on the migrated database of `ctx`. */
export function journalSuite(ctx: SuiteContext): void {
  describe('journal and snapshots', () => {
    let db: Db;
    let journal: DbJournal;
    let snapshots: DbSnapshots;
    let n = 0;
    /** Each test its own event. */
    const newEvent = () => `journal-${++n}`;

    beforeEach(() => {
      db = ctx.db;
      journal = new DbJournal(db);
      snapshots = new DbSnapshots(db);
    });

    describe('DbJournal', () => {
      it('claim hands out epochs 1, 2, 3… per event', async () => {
        const a = newEvent();
        const b = newEvent();
        expect(await journal.claim(a)).toBe(1);
        expect(await journal.claim(a)).toBe(2);
        expect(await journal.claim(b)).toBe(1);
        expect(await journal.claim(a)).toBe(3);
        expect(
          (await db.query('SELECT epoch, last_seq FROM event_owners WHERE event_id = $1', [a])).rows,
        ).toEqual([{ epoch: 3, last_seq: 0 }]);
      });

      it('appends one row per batch and reads the entries back intact, from any sequence number', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        const all = entries(1, 5);
        await journal.append(ev, epoch, all.slice(0, 3));
        await journal.append(ev, epoch, all.slice(3));
        await journal.append(ev, epoch, []); // nothing to write: no row
        expect(await journalRows(db, ev)).toEqual([
          { first_seq: 1, last_seq: 3, epoch, seqs: [1, 2, 3] },
          { first_seq: 4, last_seq: 5, epoch, seqs: [4, 5] },
        ]);
        expect(await journal.lastSeq(ev)).toBe(5);

        const everything = await readAll(journal, ev);
        expect(everything.entries).toStrictEqual(all);
        expect(everything.entries[2].key).toBe('key-w-3');
        expect('key' in everything.entries[0]).toBe(false);
        expect(everything.chunks.map((c) => c.length)).toEqual([3, 2]);
        // Mid-batch: the batch's earlier entries are skipped.
        expect((await readAll(journal, ev, 1)).entries).toStrictEqual(all.slice(1));
        expect((await readAll(journal, ev, 2)).seqs).toEqual([3, 4, 5]);
        expect((await readAll(journal, ev, 3)).seqs).toEqual([4, 5]);
        expect((await readAll(journal, ev, 4)).entries).toStrictEqual([all[4]]);
        expect((await readAll(journal, ev, 5)).chunks).toEqual([]);
        expect((await readAll(journal, newEvent())).chunks).toEqual([]);
      });

      it('pages through many rows in order (more than one page of 64)', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        for (let s = 1; s <= 300; s += 2) await journal.append(ev, epoch, entries(s, s + 1));
        const all = await readAll(journal, ev);
        expect(all.chunks).toHaveLength(150);
        expect(all.seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
        expect(all.entries[299]).toStrictEqual(entry(300));
        const tail = await readAll(journal, ev, 201); // mid-batch 201..202, past two pages
        expect(tail.seqs).toEqual(Array.from({ length: 99 }, (_, i) => 202 + i));
      });

      it('refuses an append under a stale epoch after another claim (FencingError), writing nothing', async () => {
        const ev = newEvent();
        const old = await journal.claim(ev);
        await journal.append(ev, old, entries(1, 2, 'old'));
        const fresh = await journal.claim(ev);
        const err = await rejection(journal.append(ev, old, entries(3, 4, 'old')));
        expect(err).toBeInstanceOf(FencingError);
        expect((err as FencingError).retryable).toBe(true);
        expect(await journalRows(db, ev)).toEqual([{ first_seq: 1, last_seq: 2, epoch: old, seqs: [1, 2] }]);
        expect(await journal.lastSeq(ev)).toBe(2);
        // The new owner continues the sequence.
        await journal.append(ev, fresh, entries(3, 3, 'new'));
        expect((await readAll(journal, ev)).entries).toStrictEqual([
          ...entries(1, 2, 'old'),
          entry(3, 'new'),
        ]);
        // A newer epoch than any claim is refused too.
        await expect(journal.append(ev, fresh + 1, entries(4, 4))).rejects.toBeInstanceOf(FencingError);
      });

      it('refuses a batch that leaves a gap or repeats a sequence number, writing nothing', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        await expect(journal.append(ev, epoch, entries(2, 2))).rejects.toBeInstanceOf(FencingError);
        await journal.append(ev, epoch, entries(1, 2));
        await expect(journal.append(ev, epoch, entries(4, 5))).rejects.toBeInstanceOf(FencingError);
        await expect(journal.append(ev, epoch, entries(2, 3))).rejects.toBeInstanceOf(FencingError);
        await expect(journal.append(ev, epoch, entries(1, 1))).rejects.toBeInstanceOf(FencingError);
        // A batch with a hole inside is a caller bug, refused before the database is asked.
        const holed = [entry(3), entry(5)];
        const err = await rejection(journal.append(ev, epoch, holed));
        expect(err).not.toBeInstanceOf(FencingError);
        expect((err as Error).message).toMatch(/not contiguous/);
        expect(await journalRows(db, ev)).toEqual([{ first_seq: 1, last_seq: 2, epoch, seqs: [1, 2] }]);
        expect(await journal.lastSeq(ev)).toBe(2);
        await journal.append(ev, epoch, entries(3, 3));
        expect((await readAll(journal, ev)).seqs).toEqual([1, 2, 3]);
      });

      it('refuses an append to an event nobody claimed', async () => {
        const ev = newEvent();
        await expect(journal.append(ev, 1, entries(1, 1))).rejects.toBeInstanceOf(FencingError);
        expect(await journalRows(db, ev)).toEqual([]);
        expect(await journal.lastSeq(ev)).toBe(0);
      });

      it('two writers on one event (claim A, claim B, both append seq 1): only B lands', async () => {
        const ev = newEvent();
        const a = await journal.claim(ev);
        const b = await journal.claim(ev);
        const [ra, rb] = await Promise.allSettled([
          journal.append(ev, a, [entry(1, 'A')]),
          journal.append(ev, b, [entry(1, 'B')]),
        ]);
        expect(ra.status).toBe('rejected');
        expect((ra as PromiseRejectedResult).reason).toBeInstanceOf(FencingError);
        expect(rb.status).toBe('fulfilled');
        expect(await journalRows(db, ev)).toEqual([{ first_seq: 1, last_seq: 1, epoch: b, seqs: [1] }]);
        expect((await readAll(journal, ev)).entries).toStrictEqual([entry(1, 'B')]);
      });

      it('racing writers that keep re-claiming never interleave: every acknowledged batch lands, nothing else', async () => {
        const ev = newEvent();
        const random = mulberry32(7);
        const landed: JournalEntry[] = [];
        let refused = 0;
        async function writer(w: number) {
          let epoch = await journal.claim(ev);
          for (let attempt = 0; attempt < 25; attempt++) {
            if (random() < 0.2) epoch = await journal.claim(ev);
            const from = (await journal.lastSeq(ev)) + 1;
            const batch = entries(from, from + Math.floor(random() * 3), `w${w}a${attempt}`);
            try {
              await journal.append(ev, epoch, batch);
              landed.push(...batch);
            } catch (e) {
              expect(e).toBeInstanceOf(FencingError);
              refused++;
            }
          }
        }
        await Promise.all([0, 1, 2, 3].map(writer));
        const rows = await journalRows(db, ev);
        expect(contiguous(rows)).toBe(true);
        landed.sort((x, y) => x.seq - y.seq);
        expect((await readAll(journal, ev)).entries).toStrictEqual(landed);
        expect(landed.length).toBeGreaterThan(10); // about 40 (24 at the least seen) on Postgres
        expect(refused).toBeGreaterThan(0);
      });

      it('takes a batch of 5,000 entries in one append, as one row', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        const big = entries(1, 5000);
        await journal.append(ev, epoch, big);
        const rows = await journalRows(db, ev);
        expect(rows.map((r) => [r.first_seq, r.last_seq])).toEqual([[1, 5000]]);
        expect((await readAll(journal, ev)).entries).toStrictEqual(big);
        expect((await readAll(journal, ev, 4990)).seqs).toEqual([
          4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000,
        ]);
        await journal.append(ev, epoch, entries(5001, 5001));
        expect(await journal.lastSeq(ev)).toBe(5001);
      });

      it('carries sequence numbers and epochs past 2^31 (bigint columns)', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        const base = 2 ** 32;
        await db.query('UPDATE event_owners SET last_seq = $2, epoch = $3 WHERE event_id = $1', [
          ev,
          base,
          base,
        ]);
        expect(epoch).toBe(1);
        expect(await journal.claim(ev)).toBe(base + 1);
        await journal.append(ev, base + 1, entries(base + 1, base + 2));
        expect((await readAll(journal, ev, base)).seqs).toEqual([base + 1, base + 2]);
        expect(await journal.lastSeq(ev)).toBe(base + 2);
      });

      it('read detects a gap in the stored rows and throws, after delivering what came before', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        await journal.append(ev, epoch, entries(1, 2));
        // A crafted row that skips seq 3.
        await db.query(
          'INSERT INTO journal (event_id, first_seq, last_seq, epoch, schema, entries) VALUES ($1, 4, 4, $2, 2, $3)',
          [ev, epoch, encodeEntries([entry(4)])],
        );
        const seen: number[] = [];
        await expect(journal.read(ev, 0, (es) => seen.push(...es.map((e) => e.seq)))).rejects.toThrow(
          /gap: expected seq 3, found 4/,
        );
        expect(seen).toEqual([1, 2]);
        await expect(journal.read(ev, 2, () => {})).rejects.toThrow(/gap: expected seq 3, found 4/);
        // After the gap, the rest reads fine.
        expect((await readAll(journal, ev, 3)).seqs).toEqual([4]);
      });

      it('read detects a journal whose head is missing (pruned past the point asked for)', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        await journal.append(ev, epoch, entries(1, 2));
        await journal.append(ev, epoch, entries(3, 5));
        await db.query('DELETE FROM journal WHERE event_id = $1 AND first_seq = 1', [ev]);
        await expect(journal.read(ev, 0, () => {})).rejects.toThrow(/expected seq 1, found 3/);
        expect((await readAll(journal, ev, 2)).seqs).toEqual([3, 4, 5]);
      });

      it('reads batches written in schema 1 back as the commands they held, next to schema-2 events, and refuses a schema it does not know', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        // What onsale wrote before decide/evolve: [seq, at, command, key?] tuples.
        const v1 = new Packr({ useRecords: false }).pack([
          [1, T0 + 1, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] }],
          [2, T0 + 2, { type: 'holdBest', holdId: 'h2', fanId: 'bob', count: 2 }, 'key-2'],
        ]);
        await db.query(
          'INSERT INTO journal (event_id, first_seq, last_seq, epoch, schema, entries) VALUES ($1, 1, 2, $2, 1, $3)',
          [ev, epoch, v1],
        );
        await db.query('UPDATE event_owners SET last_seq = 2 WHERE event_id = $1', [ev]);
        await journal.append(ev, epoch, entries(3, 3));
        expect((await readAll(journal, ev)).entries).toStrictEqual([
          { seq: 1, at: T0 + 1, command: { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] } },
          {
            seq: 2,
            at: T0 + 2,
            command: { type: 'holdBest', holdId: 'h2', fanId: 'bob', count: 2 },
            key: 'key-2',
          },
          entry(3),
        ]);
        await db.query(
          'INSERT INTO journal (event_id, first_seq, last_seq, epoch, schema, entries) VALUES ($1, 4, 4, $2, 99, $3)',
          [ev, epoch, v1],
        );
        await expect(journal.read(ev, 3, () => {})).rejects.toThrow(/unknown schema 99; upgrade onsale/);
      });

      it('finds where to start without scanning the history: a read after seq N skips the rows before it', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        for (let s = 1; s <= 400; s += 4) await journal.append(ev, epoch, entries(s, s + 3));
        expect((await readAll(journal, ev, 397)).seqs).toEqual([398, 399, 400]);
        expect((await readAll(journal, ev, 396)).chunks.map((c) => c.length)).toEqual([4]);
        expect((await readAll(journal, ev, 400)).seqs).toEqual([]);
      });

      it('read detects a row whose entries do not start where the row says', async () => {
        const ev = newEvent();
        const epoch = await journal.claim(ev);
        await journal.append(ev, epoch, entries(1, 1));
        await db.query(
          'INSERT INTO journal (event_id, first_seq, last_seq, epoch, schema, entries) VALUES ($1, 2, 3, $2, 2, $3)',
          [ev, epoch, encodeEntries(entries(5, 6))],
        );
        await expect(journal.read(ev, 0, () => {})).rejects.toThrow(/expected seq 2, found 5/);
      });
    });

    describe('DbSnapshots', () => {
      const bytes = (seed: number, length = 64) => {
        const random = mulberry32(seed);
        return Uint8Array.from({ length }, () => Math.floor(random() * 256));
      };
      const versions = async (ev: string) =>
        (
          await db.query<{ version: number }>(
            'SELECT version FROM snapshots WHERE event_id = $1 ORDER BY version',
            [ev],
          )
        ).rows.map((r) => r.version);
      const ranges = async (ev: string) => (await journalRows(db, ev)).map((r) => [r.first_seq, r.last_seq]);

      it('latest() is null before any snapshot, then the newest, bytes intact', async () => {
        const ev = newEvent();
        expect(await snapshots.latest(ev)).toBeNull();
        const five = bytes(5);
        await snapshots.save(ev, { version: 5, bytes: five });
        const got = await snapshots.latest(ev);
        expect(got?.version).toBe(5);
        expect(got?.bytes).toBeInstanceOf(Uint8Array);
        expect(Array.from(got!.bytes)).toEqual(Array.from(five));
        await snapshots.save(ev, { version: 9, bytes: bytes(9) });
        expect((await snapshots.latest(ev))?.version).toBe(9);
        expect(Array.from((await snapshots.latest(ev))!.bytes)).toEqual(Array.from(bytes(9)));
        expect(await snapshots.latest(newEvent())).toBeNull();
      });

      const appendRows = async (ev: string) => {
        const epoch = await journal.claim(ev);
        for (const [from, to] of [
          [1, 3],
          [4, 6],
          [7, 8],
          [9, 11],
          [12, 12],
          [13, 15],
        ])
          await journal.append(ev, epoch, entries(from, to));
      };

      it('keeps the two latest snapshots, and the whole journal (it is the audit trail)', async () => {
        const ev = newEvent();
        await appendRows(ev);
        await snapshots.save(ev, { version: 5, bytes: bytes(5) });
        await snapshots.save(ev, { version: 8, bytes: bytes(8) });
        await snapshots.save(ev, { version: 12, bytes: bytes(12) });
        expect(await versions(ev)).toEqual([8, 12]);
        expect(await ranges(ev)).toHaveLength(6);
        expect((await readAll(journal, ev)).seqs).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
        // Recovery still reads only what follows the latest snapshot.
        expect((await readAll(journal, ev, 12)).seqs).toEqual([13, 14, 15]);
        // A late save of an old version changes neither the latest nor the journal.
        await snapshots.save(ev, { version: 4, bytes: bytes(4) });
        expect(await versions(ev)).toEqual([8, 12]);
        expect((await snapshots.latest(ev))?.version).toBe(12);
      });

      it('with a retention period, prunes journal rows older than it once the older kept snapshot covers them, and nothing younger', async () => {
        const ev = newEvent();
        const neighbour = newEvent();
        await appendRows(ev);
        await journal.append(neighbour, await journal.claim(neighbour), entries(1, 20));
        // Rows 1..11 were written "last month"; 12.. today.
        await db.query(
          `UPDATE journal SET written_at = now() - interval '30 days' WHERE event_id = ANY($1) AND last_seq <= 11`,
          [[ev, neighbour]],
        );
        const retained = new DbSnapshots(db, { journalRetentionDays: 7 });
        await retained.save(ev, { version: 5, bytes: bytes(5) });
        expect(await ranges(ev)).toHaveLength(6); // one snapshot: nothing pruned yet
        await retained.save(ev, { version: 8, bytes: bytes(8) });
        // Pruned up to 5: the row 4..6 still holds 6, so it stays.
        expect(await ranges(ev)).toEqual([
          [4, 6],
          [7, 8],
          [9, 11],
          [12, 12],
          [13, 15],
        ]);
        await retained.save(ev, { version: 13, bytes: bytes(13) });
        // Covered up to 8 and old: gone. 9..11 is old but not covered by the older snapshot (8).
        expect(await ranges(ev)).toEqual([
          [9, 11],
          [12, 12],
          [13, 15],
        ]);
        expect((await readAll(journal, ev, 8)).seqs).toEqual([9, 10, 11, 12, 13, 14, 15]);
        // Another event's journal is left alone.
        expect(await ranges(neighbour)).toEqual([[1, 20]]);
      });

      it('saving the same version twice keeps the first, without an error', async () => {
        const ev = newEvent();
        await snapshots.save(ev, { version: 3, bytes: bytes(1) });
        await snapshots.save(ev, { version: 3, bytes: bytes(2) });
        expect(await versions(ev)).toEqual([3]);
        expect(Array.from((await snapshots.latest(ev))!.bytes)).toEqual(Array.from(bytes(1)));
      });

      it('stores a 2 MB snapshot byte for byte, even from a view at an offset', async () => {
        const ev = newEvent();
        const big = bytes(42, 2_000_016);
        const view = big.subarray(16);
        await snapshots.save(ev, { version: 1, bytes: view });
        const got = (await snapshots.latest(ev))!.bytes;
        expect(got.length).toBe(2_000_000);
        expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(view))).toBe(true);
      });
    });
  });
}
