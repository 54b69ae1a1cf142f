import type { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import type { DeltaBatch, DeltaSink } from '../actors/ports.ts';
import type { QueueTick } from '../waiting-room/rooms.ts';
import type { ClusterKeys } from './keys.ts';

// Seat changes across processes. An event's owner publishes each coalesced delta batch (and
// each reset after a recovery) to the event's Redis channel besides its own sockets; every
// other member hears every event's channel and passes on what its own fans watch. Pub/sub is
// at most once: a batch lost on the way shows the fans' clients a version gap, and the
// client resynchronises from a snapshot (docs/protocol.md), which the gateway fetches from
// the owner; so a lost message costs a resync, never a wrong seat map.

type Message =
  | { from: string; d: DeltaBatch }
  | { from: string; reset: { eventId: string; version: number } }
  /** A waiting room's figures (its owner keeps the room). */
  | { from: string; q: { eventId: string; tick: QueueTick } };

/** Where other members' waiting-room figures go here. */
export type TickSink = (eventId: string, tick: QueueTick) => void;

const packr = new Packr({ useRecords: false });

export class ClusterFanout {
  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly keys: ClusterKeys,
    private readonly me: string,
    /** Fault injection (tests): drop every Nth message heard; 0: none. */
    private readonly dropEvery = 0,
  ) {}
  private heard = 0;

  /** The owner's sink: its own sockets, then the other members. */
  sink(local: DeltaSink): DeltaSink {
    const send = (eventId: string, m: Message) => {
      this.pub.publish(this.keys.event(eventId), packr.pack(m)).catch(() => {
        // Redis away: remote fans miss this batch and resynchronise on the next one's gap.
      });
    };
    return {
      publish: (batch) => {
        local.publish(batch);
        send(batch.eventId, { from: this.me, d: batch });
      },
      reset: (eventId, version) => {
        local.reset(eventId, version);
        send(eventId, { from: this.me, reset: { eventId, version } });
      },
    };
  }

  /** The owner's waiting-room figures, for the other members' fans. */
  tick(eventId: string, tick: QueueTick): void {
    const m: Message = { from: this.me, q: { eventId, tick } };
    this.pub.publish(this.keys.event(eventId), packr.pack(m)).catch(() => {
      // Redis away: fans elsewhere keep their last figure until their next poll.
    });
  }

  /**
   * Passes other members' batches of the events `watched` says fans here watch to `local`,
   * and their waiting rooms' figures to `ticks`.
   */
  async follow(local: DeltaSink, watched: (eventId: string) => boolean, ticks?: TickSink): Promise<void> {
    const pattern = this.keys.event('*');
    this.sub.on('pmessageBuffer', (p: Buffer, _channel: Buffer, message: Buffer) => {
      if (p.toString() !== pattern) return;
      let m: Message;
      try {
        m = packr.unpack(message) as Message;
      } catch {
        return;
      }
      if (m.from === this.me) return; // published to its own sockets already
      if (this.dropEvery > 0 && ++this.heard % this.dropEvery === 0) return;
      if ('q' in m) {
        ticks?.(m.q.eventId, m.q.tick);
        return;
      }
      if ('d' in m) {
        // committedAt is the owner's clock (performance.now()): meaningless here.
        if (watched(m.d.eventId)) local.publish({ ...m.d, committedAt: performance.now() });
      } else if (watched(m.reset.eventId)) local.reset(m.reset.eventId, m.reset.version);
    });
    await this.sub.psubscribe(pattern);
  }
}
