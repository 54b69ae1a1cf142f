import type { CommittedBatch, LiveSubscriber } from '../actors/commit-stream.ts';
import type { DeltaSink } from '../actors/ports.ts';
import { DeltaCoalescer } from './delta-coalescer.ts';

/**
 * The live seat map's subscriber to the commit stream: each event's committed seat changes
 * are coalesced per tick (one timer for every event) and published as one versioned batch.
 * When an actor (re)starts, or a batch could not be taken in, its watchers are told to
 * fetch a fresh snapshot.
 */
export class DeltaFeed implements LiveSubscriber {
  readonly name = 'seat-deltas';
  private readonly events = new Map<string, DeltaCoalescer>();
  /** Events with changes waiting for the next tick. */
  private readonly dirty = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sink: DeltaSink,
    private readonly seatCount: (eventId: string) => number,
    tickMs = 50,
  ) {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  started(eventId: string, version: number, restarted: boolean): void {
    this.dirty.delete(eventId);
    this.events.set(eventId, new DeltaCoalescer(eventId, this.seatCount(eventId), version));
    // After a crash, changes committed but not yet published died with the old coalescer:
    // watchers fetch the map afresh. A first start (or one after an idle stop, when nothing
    // changed) leaves every map shown correct.
    if (restarted) this.sink.reset(eventId, version);
  }

  committed(batch: CommittedBatch): void {
    const c = this.events.get(batch.eventId);
    if (!c) throw new Error(`a batch of ${batch.eventId} before its actor started`);
    c.add(batch.seats, batch.areas, batch.toVersion, batch.committedAt);
    this.dirty.add(batch.eventId);
  }

  failed(eventId: string, _from: number, to: number): void {
    // Watchers may have missed a change: start them over at the version the stream is at.
    this.started(eventId, to, true);
  }

  /** Publishes what each event gathered since the last tick. */
  tick(): void {
    for (const id of this.dirty) {
      const batch = this.events.get(id)?.take();
      if (!batch) continue;
      this.sink.publish(batch);
    }
    this.dirty.clear();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
