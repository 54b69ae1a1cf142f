import type { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import type { OperatorStats } from '../../client/sdk/protocol.ts';
import type { DeltaBatch, DeltaSink } from '../actors/ports.ts';
import type { QueueTick } from '../waiting-room/rooms.ts';
import type { ClusterKeys } from './keys.ts';

// Seat changes across processes. An event's owner publishes each coalesced delta batch (and
// each reset after a recovery) to the event's Redis channel besides its own sockets; a member
// subscribes to an event's channel while fans here watch the event (its seat map or its
// waiting room), and passes on what it hears. The channels are sharded pub/sub (SPUBLISH,
// SSUBSCRIBE: Redis 7): on a Redis Cluster each event's messages stay on the shard that owns
// its channel instead of being broadcast to every node, and on one server they behave as
// plain channels. Pub/sub is at most once: a batch lost on the way shows the fans' clients a
// version gap, and the client resynchronises from a snapshot (docs/protocol.md), which the
// gateway fetches from the owner; so a lost message costs a resync, never a wrong seat map.

type Message =
  | { from: string; d: DeltaBatch }
  | { from: string; reset: { eventId: string; version: number } }
  /** A waiting room's figures (its owner keeps the room). */
  | { from: string; q: { eventId: string; tick: QueueTick } }
  /** The operators' dashboard figures, while operators elsewhere watch (dashboard.ts). */
  | { from: string; o: { eventId: string; stats: OperatorStats } };

/** Where other members' waiting-room and dashboard figures go here. */
export interface FigureSinks {
  ticks?: (eventId: string, tick: QueueTick) => void;
  ops?: (eventId: string, stats: OperatorStats) => void;
}

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

  /**
   * Events whose channel this member subscribed to (or is subscribing to), and when a fan
   * here last asked for it: a fan joins its topic only after follow() resolves, so a sweep
   * in between would see nobody watching; a channel asked for within the last sweep stays.
   */
  private readonly followed = new Map<string, { subscribed: Promise<boolean>; askedAt: number }>();
  private sweeper: NodeJS.Timeout | null = null;
  private sweepMs = 5_000;

  /** The owner's sink: its own sockets, then the other members. */
  sink(local: DeltaSink): DeltaSink {
    return {
      publish: (batch) => {
        local.publish(batch);
        this.send(batch.eventId, { from: this.me, d: batch });
      },
      reset: (eventId, version) => {
        local.reset(eventId, version);
        this.send(eventId, { from: this.me, reset: { eventId, version } });
      },
    };
  }

  /** The owner's waiting-room figures, for the other members' fans. */
  tick(eventId: string, tick: QueueTick): void {
    this.send(eventId, { from: this.me, q: { eventId, tick } });
  }

  /** The owner's dashboard figures, for operators on other members. */
  ops(eventId: string, stats: OperatorStats): void {
    this.send(eventId, { from: this.me, o: { eventId, stats } });
  }

  private send(eventId: string, m: Message): void {
    this.pub.spublish(this.keys.event(eventId), packr.pack(m)).catch(() => {
      // Redis away: remote fans miss this message; seat maps resynchronise on the next
      // batch's gap, waiting rooms keep their last figure until the next tick.
    });
  }

  /**
   * Passes other members' batches of the events `deltasFor` says fans here watch to
   * `local`, and their waiting rooms' and dashboards' figures to `sinks`. Every `sweepMs`, channels of
   * events no fan here watches any more (`wanted`) are left, and ones that failed to
   * subscribe are tried again.
   */
  listen(
    local: DeltaSink,
    interest: { deltasFor: (eventId: string) => boolean; wanted: (eventId: string) => boolean },
    sinks: FigureSinks = {},
    sweepMs = 5_000,
  ): void {
    const watched = interest.deltasFor;
    this.sweepMs = sweepMs;
    const prefix = this.keys.event('');
    this.sub.on('smessageBuffer', (channel: Buffer, message: Buffer) => {
      if (!channel.toString().startsWith(prefix)) return;
      let m: Message;
      try {
        m = packr.unpack(message) as Message;
      } catch {
        return;
      }
      if (m.from === this.me) return; // published to its own sockets already
      if (this.dropEvery > 0 && ++this.heard % this.dropEvery === 0) return;
      if ('q' in m) {
        sinks.ticks?.(m.q.eventId, m.q.tick);
        return;
      }
      if ('o' in m) {
        sinks.ops?.(m.o.eventId, m.o.stats);
        return;
      }
      if ('d' in m) {
        // committedAt is the owner's clock (performance.now()): meaningless here.
        if (watched(m.d.eventId)) local.publish({ ...m.d, committedAt: performance.now() });
      } else if (watched(m.reset.eventId)) local.reset(m.reset.eventId, m.reset.version);
    });
    this.sweeper = setInterval(() => void this.sweep(interest.wanted), sweepMs);
    this.sweeper.unref();
  }

  /**
   * Subscribes to the event's channel, once: called when a fan here starts watching it,
   * before its snapshot is read, so that no batch after the snapshot is missed. False when
   * Redis could not be reached (the sweep tries again; the fans resynchronise on the gap).
   */
  follow(eventId: string): Promise<boolean> {
    let f = this.followed.get(eventId);
    if (!f) {
      const subscribed = this.sub.ssubscribe(this.keys.event(eventId)).then(
        () => true,
        () => false,
      );
      f = { subscribed, askedAt: 0 };
      this.followed.set(eventId, f);
    }
    f.askedAt = performance.now();
    return f.subscribed;
  }

  /** Events whose channel this member listens to now. */
  async following(): Promise<string[]> {
    const out: string[] = [];
    for (const [id, f] of this.followed) if (await f.subscribed) out.push(id);
    return out.sort();
  }

  private async sweep(wanted: (eventId: string) => boolean): Promise<void> {
    for (const [id, f] of [...this.followed]) {
      const ok = await f.subscribed;
      if (this.followed.get(id) !== f) continue; // changed meanwhile
      if (!wanted(id)) {
        if (performance.now() - f.askedAt < this.sweepMs) continue; // its fan may be joining
        this.followed.delete(id);
        if (ok) this.sub.sunsubscribe(this.keys.event(id)).catch(() => {});
      } else if (!ok) {
        this.followed.delete(id);
        void this.follow(id);
      }
    }
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
