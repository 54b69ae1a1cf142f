import { Packr } from 'msgpackr';
import { FencingError, type JournalEntry, type JournalPort } from '../actors/ports.ts';
import type { Db } from './db.ts';

// The journal on Postgres: one row per group-commit batch. Fencing lives in the single
// statement that appends: the owner row must still carry the writer's epoch and the batch
// must continue its last sequence number, or nothing is written.

const packr = new Packr({ useRecords: false });
const PAGE = 64;

type Tuple = [number, number, JournalEntry['command'], string?];

export function encodeEntries(entries: JournalEntry[]): Uint8Array {
  return packr.pack(
    entries.map(
      (e): Tuple => (e.key === undefined ? [e.seq, e.at, e.command] : [e.seq, e.at, e.command, e.key]),
    ),
  );
}

export function decodeEntries(bytes: Uint8Array): JournalEntry[] {
  return (packr.unpack(bytes) as Tuple[]).map(([seq, at, command, key]) =>
    key === undefined ? { seq, at, command } : { seq, at, command, key },
  );
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

  async append(eventId: string, epoch: number, entries: JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const first = entries[0].seq;
    const last = entries[entries.length - 1].seq;
    if (last - first + 1 !== entries.length) throw new Error(`batch ${first}..${last} is not contiguous`);
    const { rowCount } = await this.db.query(
      `WITH owner AS (
         UPDATE event_owners SET last_seq = $4
         WHERE event_id = $1 AND epoch = $2 AND last_seq = $3::bigint - 1
         RETURNING event_id
       )
       INSERT INTO journal (event_id, first_seq, last_seq, epoch, entries)
       SELECT $1, $3, $4, $2, $5 FROM owner`,
      [eventId, epoch, first, last, encodeEntries(entries)],
    );
    if (rowCount !== 1) {
      throw new FencingError(
        `append ${first}..${last} of ${eventId} at epoch ${epoch} refused: another owner or a gap`,
      );
    }
  }

  async read(eventId: string, afterSeq: number, onEntries: (entries: JournalEntry[]) => void): Promise<void> {
    let expected = afterSeq + 1;
    let cursor = -1;
    for (;;) {
      const { rows } = await this.db.query<{ first_seq: number; entries: Uint8Array }>(
        `SELECT first_seq, entries FROM journal
         WHERE event_id = $1 AND last_seq >= $2 AND first_seq > $3
         ORDER BY first_seq LIMIT ${PAGE}`,
        [eventId, expected, cursor],
      );
      for (const row of rows) {
        const entries = decodeEntries(row.entries).filter((e) => e.seq >= expected);
        if (entries.length > 0 && entries[0].seq !== expected) {
          throw new Error(
            `journal of ${eventId} has a gap: expected seq ${expected}, found ${entries[0].seq}`,
          );
        }
        expected += entries.length;
        cursor = row.first_seq;
        if (entries.length > 0) onEntries(entries);
      }
      if (rows.length < PAGE) return;
    }
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
