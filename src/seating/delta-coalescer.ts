import type { DeltaBatch } from '../actors/ports.ts';

/**
 * Gathers the seat changes of committed commands between ticks and yields them as one
 * versioned batch: a seat that changed five times in a tick is sent once, with its latest
 * status. Statuses are absolute, so a client may apply a batch over any older state.
 */
export class DeltaCoalescer {
  private latest: Int16Array;
  private changed: number[] = [];
  private areas = new Map<number, number>();
  private fromVersion: number;
  private toVersion: number;
  private firstCommitAt = Number.NaN;

  constructor(
    private readonly eventId: string,
    seatCount: number,
    version: number,
  ) {
    this.latest = new Int16Array(seatCount).fill(-1);
    this.fromVersion = version + 1;
    this.toVersion = version;
  }

  /** The changes of a batch that became durable at `committedAt` (monotonic ms). */
  add(seats: readonly number[], areas: readonly number[], toVersion: number, committedAt: number): void {
    if (Number.isNaN(this.firstCommitAt)) this.firstCommitAt = committedAt;
    const latest = this.latest;
    for (let i = 0; i < seats.length; i += 2) {
      const s = seats[i];
      if (latest[s] < 0) this.changed.push(s);
      latest[s] = seats[i + 1];
    }
    for (let i = 0; i < areas.length; i += 2) this.areas.set(areas[i], areas[i + 1]);
    this.toVersion = toVersion;
  }

  /** The batch since the last take, or null when no version advanced. */
  take(): DeltaBatch | null {
    if (this.toVersion < this.fromVersion) return null;
    const seats = new Array<number>(this.changed.length * 2);
    this.changed.forEach((s, i) => {
      seats[2 * i] = s;
      seats[2 * i + 1] = this.latest[s];
      this.latest[s] = -1;
    });
    const areas: number[] = [];
    for (const [a, n] of this.areas) areas.push(a, n);
    const batch: DeltaBatch = {
      eventId: this.eventId,
      fromVersion: this.fromVersion,
      toVersion: this.toVersion,
      seats,
      areas,
      committedAt: this.firstCommitAt,
    };
    this.firstCommitAt = Number.NaN;
    this.changed = [];
    this.areas.clear();
    this.fromVersion = this.toVersion + 1;
    return batch;
  }
}
