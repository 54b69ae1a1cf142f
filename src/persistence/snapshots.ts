import type { SnapshotPort, StoredSnapshot } from '../actors/ports.ts';
import type { Db } from './db.ts';

/**
 * Snapshots on Postgres. The two latest are kept, and the journal is pruned up to the older
 * of them: a damaged latest snapshot still leaves a way back.
 */
export class DbSnapshots implements SnapshotPort {
  constructor(private readonly db: Db) {}

  async save(eventId: string, snapshot: StoredSnapshot): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO snapshots (event_id, version, state) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [eventId, snapshot.version, snapshot.bytes],
      );
      const { rows } = await tx.query<{ version: number }>(
        'SELECT version FROM snapshots WHERE event_id = $1 ORDER BY version DESC LIMIT 2',
        [eventId],
      );
      if (rows.length < 2) return;
      const keep = rows[1].version;
      await tx.query('DELETE FROM snapshots WHERE event_id = $1 AND version < $2', [eventId, keep]);
      await tx.query('DELETE FROM journal WHERE event_id = $1 AND last_seq <= $2', [eventId, keep]);
    });
  }

  async latest(eventId: string): Promise<StoredSnapshot | null> {
    const { rows } = await this.db.query<{ version: number; state: Uint8Array }>(
      'SELECT version, state FROM snapshots WHERE event_id = $1 ORDER BY version DESC LIMIT 1',
      [eventId],
    );
    return rows[0] ? { version: rows[0].version, bytes: rows[0].state } : null;
  }
}
