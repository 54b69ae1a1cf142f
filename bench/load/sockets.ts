import { sourceAddress, type Worker } from './pool.ts';
import { demoLayout, EVENT_ID } from './seats.ts';

/**
 * Points forked sockets-worker processes at the server's socket, each from its own loopback
 * source address, on the demo event; `firstSeats[i]` is the first seat of planned hold i
 * (fan-out runs match deltas to holds by it).
 */
export async function initSocketWorkers(
  workers: Worker[],
  wsUrl: string,
  firstSeats = new Int32Array(0),
): Promise<void> {
  const seatCount = demoLayout().seatCount;
  await Promise.all(
    workers.map((w, i) =>
      w.call('init', { url: wsUrl, address: sourceAddress(i), eventId: EVENT_ID, firstSeats, seatCount }),
    ),
  );
}
