import type { Db } from './db.ts';

// How far each durable commit-stream subscriber got, per event (the stream_checkpoints table):
// read when a subscriber catches up, written in the transaction that applies a batch, so a
// batch's effects and the checkpoint past it commit together.

export async function readCheckpoint(db: Db, subscriber: string, eventId: string): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    'SELECT version FROM stream_checkpoints WHERE subscriber = $1 AND event_id = $2',
    [subscriber, eventId],
  );
  return Number(rows[0]?.version ?? 0);
}

export async function writeCheckpoint(
  tx: Db,
  subscriber: string,
  eventId: string,
  version: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO stream_checkpoints (subscriber, event_id, version) VALUES ($1, $2, $3)
     ON CONFLICT (subscriber, event_id) DO UPDATE SET version = $3`,
    [subscriber, eventId, version],
  );
}
