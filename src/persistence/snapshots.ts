import type { SnapshotPort, StoredSnapshot } from '../actors/ports.ts';
import type { Db } from './db.ts';

export interface RetentionOptions {
  /**
   * Journal batches older than this many days are pruned, once both kept snapshots cover
   * them. Unset: the journal is kept for the event's life (it is the audit trail).
   */
  journalRetentionDays?: number;
}

/**
 * Snapshots on Postgres. The two latest are kept: a damaged latest snapshot still leaves a
 * way back. They bound recovery time; the journal itself is the event's history and stays,
 * unless a retention period is set.
 */
export class DbSnapshots implements SnapshotPort {
  constructor(
    private readonly db: Db,
    private readonly retention: RetentionOptions = {},
  ) {}

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
      const days = this.retention.journalRetentionDays;
      if (days !== undefined) {
        await tx.query(
          `DELETE FROM journal WHERE event_id = $1 AND last_seq <= $2
             AND written_at < now() - make_interval(secs => $3::double precision)`,
          [eventId, keep, days * 86_400],
        );
      }
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
