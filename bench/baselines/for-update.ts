// (a) Pessimistic locking: lock the picked rows with SELECT … FOR UPDATE NOWAIT, check they are
// all available, mark them held, commit. A taken lock (55P03) or a held seat fails the attempt.
// Four round trips per hold: BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT.
import {
  type Design,
  type DesignContext,
  type DesignModule,
  HOLD_SECONDS,
  type HoldOutcome,
  isConflictError,
  releaseRows,
  STATUS_AVAILABLE,
  STATUS_HELD,
} from './workload.ts';

export const forUpdate: DesignModule = {
  name: 'forUpdate',
  versioned: false,
  usesRedis: false,
  create({ pool, schema, eventId }: DesignContext): Design {
    const lock = {
      name: `${schema}-lock`,
      text: `SELECT seat_no, (status = ${STATUS_AVAILABLE} OR hold_expires < now()) AS free
             FROM ${schema}.seats WHERE event_id = $1 AND seat_no = ANY($2::int[])
             FOR UPDATE NOWAIT`,
    };
    const mark = {
      name: `${schema}-mark`,
      text: `UPDATE ${schema}.seats
             SET status = ${STATUS_HELD}, holder = $3, hold_expires = now() + interval '${HOLD_SECONDS} seconds'
             WHERE event_id = $1 AND seat_no = ANY($2::int[])`,
    };
    return {
      async hold(seats, holder): Promise<HoldOutcome> {
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          try {
            const { rows } = await client.query<{ free: boolean }>({ ...lock, values: [eventId, seats] });
            if (rows.length !== seats.length || !rows.every((r) => r.free)) {
              await client.query('ROLLBACK');
              return 'unavailable';
            }
            await client.query({ ...mark, values: [eventId, seats, holder] });
            await client.query('COMMIT');
            return 'held';
          } catch (err) {
            await client.query('ROLLBACK');
            if (isConflictError(err)) return 'conflict';
            throw err;
          }
        } catch (err) {
          broken = err as Error;
          throw err;
        } finally {
          client.release(broken);
        }
      },
      release: (seats, holder) => releaseRows(pool, schema, eventId, seats, holder),
    };
  },
};
