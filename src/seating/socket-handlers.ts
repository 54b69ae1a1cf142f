import { deflateRawSync } from 'node:zlib';
import { ONE_TARGET } from '../../client/sdk/protocol.ts';
import type { DeltaBatch, DeltaSink } from '../actors/ports.ts';
import { quoted } from '../errors.ts';
import { encode } from '../gateway/frames.ts';
import type { Metrics } from '../gateway/metrics.ts';
import type { SocketConn, Sockets } from '../gateway/sockets.ts';
import type { LiveEvent, LiveEvents } from './live-events.ts';
import type { SeatCommands } from './seat-commands.ts';

// The live seat map on the socket: subscriptions (a snapshot, then the coalesced deltas
// published once per tick to the event's topic, fanned out by uWS in C++) and holds with
// request ids.

const PREFIX = 'seats/';
export const seatTopic = (eventId: string) => `${PREFIX}${eventId}`;

/** Publishes committed seat deltas and resets to each event's topic. */
export class SeatPublisher implements DeltaSink {
  /**
   * The binary `snap` frame of each event, kept until its next delta is published: a storm
   * of subscribers costs one read and one deflate per tick, not one each. A frame read
   * before a publish is still good for sockets that subscribed before it (they get that
   * delta, which starts at or before the frame's version + 1); later ones need a new one.
   */
  private snaps = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly sockets: Sockets,
    private readonly metrics: Metrics,
  ) {}

  snapshotFrame(live: LiveEvent): Promise<Uint8Array> {
    let frame = this.snaps.get(live.id);
    if (!frame) {
      frame = live.handle.query('seatStatuses', {}).then((d) => {
        // Statuses are a few values in long runs: the stadium's 81 KB deflate to 0.4–20 KB.
        const z = deflateRawSync(d.status, { level: 1 });
        this.metrics.snapshotBytes.observe(z.byteLength);
        return encode({ t: 'snap', e: live.id, v: d.version, z, a: d.areas }, false) as Uint8Array;
      });
      frame.catch(() => this.snaps.delete(live.id));
      this.snaps.set(live.id, frame);
    }
    return frame;
  }

  publish(batch: DeltaBatch): void {
    this.snaps.delete(batch.eventId);
    const msg = {
      t: 'delta',
      e: batch.eventId,
      f: batch.fromVersion,
      v: batch.toVersion,
      s: batch.seats,
      a: batch.areas,
    };
    const frame = encode(msg, false) as Uint8Array;
    this.sockets.publishFrame(seatTopic(batch.eventId), frame, msg);
    this.metrics.deltaBytes.inc(frame.byteLength);
    // uWS sends to each subscriber after this returns, in C++ on this thread.
    this.metrics.fanoutLatency.observe((performance.now() - batch.committedAt) / 1000);
  }

  reset(eventId: string, version: number): void {
    this.snaps.delete(eventId);
    this.sockets.publish(seatTopic(eventId), { t: 'reset', e: eventId, v: version });
  }
}

export function seatSocketHandlers(
  sockets: Sockets,
  deps: {
    events: LiveEvents;
    seats: SeatCommands;
    publisher: SeatPublisher;
    metrics: Metrics;
    /** Cluster mode: hear the event's deltas from its owner (src/cluster/fanout.ts). */
    follow?: (eventId: string) => Promise<unknown>;
  },
): void {
  const { events, seats, publisher, metrics, follow } = deps;

  const snapshot = async (conn: SocketConn, eventId: string) => {
    const live = await events.get(eventId);
    if (!live) return sockets.error(conn, 'EVENT_NOT_FOUND', `no event ${quoted(eventId)}`);
    if (!conn.json) return sockets.sendFrameNow(conn, await publisher.snapshotFrame(live));
    // JSON sockets are for debugging: the raw statuses as base64, read each time.
    const snap = await live.handle.query('seatStatuses', {});
    sockets.sendNow(conn, { t: 'snap', e: eventId, v: snap.version, s: snap.status, a: snap.areas });
  };

  sockets.onLeave((_conn, topic) => {
    if (topic.startsWith(PREFIX)) metrics.subscriptions.dec({ event: topic.slice(PREFIX.length) });
  });

  sockets.on('sub', async (conn, msg) => {
    const live = await events.get(msg.e);
    if (!live) return sockets.error(conn, 'EVENT_NOT_FOUND', `no event ${quoted(msg.e)}`);
    // Subscribe first (here, and to the owner's channel): deltas that overtake the snapshot
    // are older than it and ignored; none after it is missed.
    await follow?.(msg.e);
    if (sockets.join(conn, seatTopic(msg.e))) metrics.subscriptions.inc({ event: msg.e });
    return snapshot(conn, msg.e);
  });

  sockets.on('unsub', (conn, msg) => {
    sockets.leave(conn, seatTopic(msg.e));
  });

  sockets.on('resync', (conn, msg) => snapshot(conn, msg.e));

  sockets.on('hold', (conn, msg) => {
    const user = sockets.writer(conn, msg.id);
    if (!user) return;
    const { seats: ids, best, ga } = msg;
    if ([ids, best, ga].filter(Boolean).length !== 1) {
      return sockets.error(conn, 'INVALID_MESSAGE', ONE_TARGET, msg.id);
    }
    return sockets.answer(
      conn,
      msg.id,
      seats.hold(
        user,
        { eventId: msg.e, seats: ids, best, ga, presaleCode: msg.code },
        { key: msg.key, accessToken: msg.access },
      ),
    );
  });

  sockets.on('release', (conn, msg) => {
    const user = sockets.writer(conn, msg.id);
    if (!user) return;
    return sockets.answer(conn, msg.id, seats.release(user, msg.hold, msg.key));
  });

  sockets.on('extend', (conn, msg) => {
    const user = sockets.writer(conn, msg.id);
    if (!user) return;
    return sockets.answer(conn, msg.id, seats.extend(user, msg.hold, msg.seconds));
  });
}

/** Whether any socket of this process watches the event's seat map (it keeps the actor up). */
export function watched(sockets: Sockets, eventId: string): boolean {
  return sockets.subscribers(seatTopic(eventId)) > 0;
}
