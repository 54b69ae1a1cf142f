// (c) Redis locks in front of Postgres: SET seat:<event>:<n> <holder> NX EX 600 for every picked
// seat in one pipeline; if any key was taken, delete the ones this attempt got and fail;
// otherwise mark the seats held in Postgres with one UPDATE. Release: UPDATE back to available,
// then delete the keys. One Redis round trip and one Postgres round trip per successful hold.
import {
  type Design,
  type DesignContext,
  type DesignModule,
  HOLD_SECONDS,
  type HoldOutcome,
  releaseRows,
  STATUS_HELD,
} from './workload.ts';

export const redisSetNx: DesignModule = {
  name: 'redisSetNx',
  versioned: false,
  usesRedis: true,
  create({ pool, redis, schema, eventId, keyPrefix }: DesignContext): Design {
    if (!redis) throw new Error('redisSetNx needs a Redis client');
    const key = (seat: number) => `${keyPrefix}seat:${eventId}:${seat}`;
    const mark = {
      name: `${schema}-mark`,
      text: `UPDATE ${schema}.seats
             SET status = ${STATUS_HELD}, holder = $3, hold_expires = now() + interval '${HOLD_SECONDS} seconds'
             WHERE event_id = $1 AND seat_no = ANY($2::int[])`,
    };
    const unlock = async (seats: readonly number[]) => {
      if (seats.length > 0) await redis.del(...seats.map(key));
    };
    return {
      async hold(seats, holder): Promise<HoldOutcome> {
        const pipeline = redis.pipeline();
        for (const seat of seats) pipeline.set(key(seat), holder, 'EX', HOLD_SECONDS, 'NX');
        const replies = (await pipeline.exec()) ?? [];
        const got: number[] = [];
        let failedCommand: Error | null = null;
        replies.forEach(([err, reply], i) => {
          if (err) failedCommand ??= err;
          else if (reply === 'OK') got.push(seats[i]);
        });
        if (got.length !== seats.length) {
          await unlock(got);
          if (failedCommand) throw failedCommand;
          return 'conflict';
        }
        try {
          const res = await pool.query({ ...mark, values: [eventId, seats, holder] });
          if (res.rowCount !== seats.length)
            throw new Error(`marked ${res.rowCount} of ${seats.length} seats`);
        } catch (err) {
          await unlock(got);
          throw err;
        }
        return 'held';
      },
      async release(seats, holder) {
        const released = await releaseRows(pool, schema, eventId, seats, holder);
        await unlock(seats);
        return released;
      },
    };
  },
};
