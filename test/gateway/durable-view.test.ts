import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnsaleSocket } from '../../client/sdk/index.ts';
import {
  EVENT,
  type Gateway,
  seatNumber,
  seatsOf,
  seatsSnapshot,
  signUp,
  sleep,
  startGateway,
  TrackedWebSocket,
} from './support.ts';

// What fans are shown is what the journal holds: with every journal append slowed to
// 400 ms, a hold the actor has applied but not yet made durable appears in no snapshot
// (HTTP or socket) and in no delta until its batch commits.

const HELD = 1;
const AVAILABLE = 0;
let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({ ONSALE_FAULT_APPEND_DELAY_MS: '400' });
});

afterAll(async () => {
  await gw?.stop();
});

describe('the seat map fans see is the durable one', () => {
  it('given a hold waiting for its journal batch, then snapshots and watchers show the seat available until the commit, then held, at the version that holds it', async () => {
    const seat = seatsOf(320, 'F', 1)[0];
    const n = seatNumber(gw, seat);
    const fan = await signUp(gw);
    const watcher = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: TrackedWebSocket });
    const map = await watcher.subscribe(EVENT);
    const seen: number[] = [];
    map.onChange((change) => {
      if (change.kind === 'delta') for (const c of change.seats) if (c.seat === n) seen.push(c.status);
    });
    const holder = await OnsaleSocket.connect(gw.wsUrl, { token: fan.token, WebSocket: TrackedWebSocket });

    const startedAt = Date.now();
    let ackedAt = 0;
    const hold = holder.hold({ eventId: EVENT, seats: [seat] }).then((h) => {
      ackedAt = Date.now();
      return h;
    });
    await sleep(150); // applied in the actor by now, its batch still being written
    expect(ackedAt).toBe(0);
    const early = await seatsSnapshot(gw);
    expect(early.status[n]).toBe(AVAILABLE);
    const late = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: TrackedWebSocket });
    const lateMap = await late.subscribe(EVENT);
    expect(lateMap.status[n]).toBe(AVAILABLE);
    expect(lateMap.version).toBe(early.version);
    expect(seen).toEqual([]);

    const h = await hold;
    expect(ackedAt - startedAt).toBeGreaterThanOrEqual(350);
    const after = await seatsSnapshot(gw);
    expect(after.status[n]).toBe(HELD);
    expect(after.version).toBeGreaterThan(early.version);
    // Both watchers catch up through their deltas, without a gap.
    await expect.poll(() => [map.status[n], lateMap.status[n]], { timeout: 2000 }).toEqual([HELD, HELD]);
    expect(seen).toEqual([HELD]);
    expect(watcher.resyncs + late.resyncs).toBe(0);
    await holder.release(h.holdId);
    await Promise.all([watcher.close(), holder.close(), late.close()]);
  });
});
