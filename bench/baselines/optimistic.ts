// (b) Optimistic concurrency: read the picked rows and their versions without locking, check
// they are available, then in one transaction update them only where the version is still the
// one read (compared per row through unnest). A short row count means someone got there
// first: roll back and start again from the read, up to MAX_RETRIES times. Four round trips
// per try: SELECT, BEGIN, UPDATE, COMMIT/ROLLBACK.
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

/** Retries after the first try, so at most 1 + MAX_RETRIES tries per attempt. */
export const MAX_RETRIES = 3;

export const optimistic: DesignModule = {
  name: 'optimistic',
  versioned: true,
  usesRedis: false,
  create({ pool, schema, eventId }: DesignContext): Design {
    const read = {
      name: `${schema}-read`,
      text: `SELECT seat_no, version, (status = ${STATUS_AVAILABLE} OR hold_expires < now()) AS free
             FROM ${schema}.seats WHERE event_id = $1 AND seat_no = ANY($2::int[])
             ORDER BY seat_no`,
    };
    const update = {
      name: `${schema}-update`,
      text: `UPDATE ${schema}.seats AS s
             SET status = ${STATUS_HELD}, holder = $4, hold_expires = now() + interval '${HOLD_SECONDS} seconds',
                 version = s.version + 1
             FROM unnest($2::int[], $3::int[]) AS v(seat_no, version)
             WHERE s.event_id = $1 AND s.seat_no = v.seat_no AND s.version = v.version`,
    };
    let retries = 0;
    return {
      stats: () => ({ retries }),
      async hold(seats, holder): Promise<HoldOutcome> {
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
            if (attempt > 0) retries++;
            const { rows } = await client.query<{ seat_no: number; version: number; free: boolean }>({
              ...read,
              values: [eventId, seats],
            });
            if (rows.length !== seats.length || !rows.every((r) => r.free)) return 'unavailable';
            await client.query('BEGIN');
            let updated: number;
            try {
              const res = await client.query({
                ...update,
                values: [eventId, rows.map((r) => r.seat_no), rows.map((r) => r.version), holder],
              });
              updated = res.rowCount ?? 0;
            } catch (err) {
              await client.query('ROLLBACK');
              if (isConflictError(err)) continue;
              throw err;
            }
            if (updated === seats.length) {
              await client.query('COMMIT');
              return 'held';
            }
            await client.query('ROLLBACK');
          }
          return 'conflict';
        } catch (err) {
          broken = err as Error;
          throw err;
        } finally {
          client.release(broken);
        }
      },
      release: (seats, holder) => releaseRows(pool, schema, eventId, seats, holder, true),
    };
  },
};
