import { Packr } from 'msgpackr';
import {
  FencingError,
  type JournalEntry,
  type JournalPort,
  type LegacyEntry,
  type StoredEntry,
} from '../actors/ports.ts';
import { EVENT_SCHEMA } from '../domain/events.ts';
import type { Db } from './db.ts';

// The journal on Postgres: one row per group-commit batch. Fencing lives in the single
// statement that appends: the owner row must still carry the writer's epoch and the batch
// must continue its last sequence number, or nothing is written.

const packr = new Packr({ useRecords: false });
const PAGE = 64;

// Batch payloads: msgpack arrays of tuples. Schema 1 (before decide/evolve) stored
// [seq, at, command, key?]; schema 2 stores [seq, at, event, key|null, by|null] (3, the same
// tuples with more event types, reads the same way), trailing
// nulls left off.
type Tuple1 = [number, number, LegacyEntry['command'], string?];
type Tuple2 = [number, number, JournalEntry['event'], (string | null)?, (string | null)?];

export function encodeEntries(entries: JournalEntry[]): Uint8Array {
  return packr.pack(
    entries.map((e): Tuple2 => {
      if (e.by !== undefined) return [e.seq, e.at, e.event, e.key ?? null, e.by];
      return e.key === undefined ? [e.seq, e.at, e.event] : [e.seq, e.at, e.event, e.key];
    }),
  );
}

export function decodeEntries(schema: number, bytes: Uint8Array): StoredEntry[] {
  if (schema === 1) {
    return (packr.unpack(bytes) as Tuple1[]).map(([seq, at, command, key]) =>
      key === undefined ? { seq, at, command } : { seq, at, command, key },
    );
  }
  if (schema > EVENT_SCHEMA) throw new Error(`journal batch of unknown schema ${schema}; upgrade onsale`);
  return (packr.unpack(bytes) as Tuple2[]).map(([seq, at, event, key, by]) => {
    const e: JournalEntry = { seq, at, event };
    if (key != null) e.key = key;
    if (by != null) e.by = by;
    return e;
  });
}

export class DbJournal implements JournalPort {
  constructor(private readonly db: Db) {}

  async claim(eventId: string): Promise<number> {
    const { rows } = await this.db.query<{ epoch: number }>(
      `INSERT INTO event_owners (event_id, epoch) VALUES ($1, 1)
       ON CONFLICT (event_id) DO UPDATE SET epoch = event_owners.epoch + 1
       RETURNING epoch`,
      [eventId],
    );
    return rows[0].epoch;
  }

  async append(eventId: string, epoch: number, entries: JournalEntry[], liveHolds = 0): Promise<void> {
    if (entries.length === 0) return;
    const first = entries[0].seq;
    const last = entries[entries.length - 1].seq;
    if (last - first + 1 !== entries.length) throw new Error(`batch ${first}..${last} is not contiguous`);
    const { rowCount } = await this.db.query(
      `WITH owner AS (
         UPDATE event_owners SET last_seq = $4, live_holds = $7
         WHERE event_id = $1 AND epoch = $2 AND last_seq = $3::bigint - 1
         RETURNING event_id
       )
       INSERT INTO journal (event_id, first_seq, last_seq, epoch, schema, entries)
       SELECT $1, $3, $4, $2, $6, $5 FROM owner`,
      [eventId, epoch, first, last, encodeEntries(entries), EVENT_SCHEMA, liveHolds],
    );
    if (rowCount !== 1) {
      throw new FencingError(
        `append ${first}..${last} of ${eventId} at epoch ${epoch} refused: another owner or a gap`,
      );
    }
  }

  async read(
    eventId: string,
    afterSeq: number,
    onEntries: (entries: StoredEntry[]) => unknown,
  ): Promise<void> {
    let expected = afterSeq + 1;
    // Start at the batch holding `expected`: the journal is kept for the event's life, and
    // a scan from its first batch would make recovery cost the whole history.
    const { rows: at } = await this.db.query<{ first: number | null }>(
      'SELECT max(first_seq) AS first FROM journal WHERE event_id = $1 AND first_seq <= $2',
      [eventId, expected],
    );
    let cursor = (at[0]?.first ?? 0) - 1;
    for (;;) {
      const { rows } = await this.db.query<{ first_seq: number; schema: number; entries: Uint8Array }>(
        `SELECT first_seq, schema, entries FROM journal
         WHERE event_id = $1 AND first_seq > $2
         ORDER BY first_seq LIMIT ${PAGE}`,
        [eventId, cursor],
      );
      for (const row of rows) {
        const entries = decodeEntries(row.schema, row.entries).filter((e) => e.seq >= expected);
        if (entries.length > 0 && entries[0].seq !== expected) {
          throw new Error(
            `journal of ${eventId} has a gap: expected seq ${expected}, found ${entries[0].seq}`,
          );
        }
        expected += entries.length;
        cursor = row.first_seq;
        if (entries.length > 0 && onEntries(entries) === false) return;
      }
      if (rows.length < PAGE) return;
    }
  }

  /** Events whose last committed batch left holds live: they start with the server. */
  async eventsWithLiveHolds(): Promise<string[]> {
    const { rows } = await this.db.query<{ event_id: string }>(
      'SELECT event_id FROM event_owners WHERE live_holds > 0 ORDER BY event_id',
    );
    return rows.map((r) => r.event_id);
  }

  /** The last sequence number committed for the event (0 when none). */
  async lastSeq(eventId: string): Promise<number> {
    const { rows } = await this.db.query<{ last_seq: number }>(
      'SELECT last_seq FROM event_owners WHERE event_id = $1',
      [eventId],
    );
    return rows[0]?.last_seq ?? 0;
  }
}
