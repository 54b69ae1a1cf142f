import { sourceAddress, type Worker } from './pool.ts';
import { demoLayout, EVENT_ID } from './seats.ts';

/**
 * Points forked sockets-worker processes at the server's socket, each from its own loopback
 * source address (the `firstAddress`-th on), on an event (the demo's by default);
 * `firstSeats[i]` is the first seat of planned hold i (fan-out runs match deltas to holds by it).
 */
export async function initSocketWorkers(
  workers: Worker[],
  wsUrl: string,
  firstSeats = new Int32Array(0),
  event: { eventId: string; seatCount: number; firstAddress?: number } = {
    eventId: EVENT_ID,
    seatCount: demoLayout().seatCount,
  },
): Promise<void> {
  const { eventId, seatCount, firstAddress = 0 } = event;
  await Promise.all(
    workers.map((w, i) =>
      w.call('init', {
        url: wsUrl,
        address: sourceAddress(firstAddress + i),
        eventId,
        firstSeats,
        seatCount,
      }),
    ),
  );
}
