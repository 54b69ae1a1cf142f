// A local copy of one event's seat statuses, kept current from a snapshot and the versioned
// delta batches that follow it. Pure: the socket feeds it, the UI reads it.

export type DeltaResult = 'applied' | 'stale' | 'gap';

export interface SeatChange {
  seat: number;
  status: number;
}

export class SeatMap {
  status: Uint8Array = new Uint8Array(0);
  areas: number[] = [];
  /** Version of the state this map shows; -1 until the first snapshot. */
  version = -1;
  private listeners = new Set<(changes: SeatChange[], map: SeatMap) => void>();

  constructor(readonly eventId: string) {}

  applySnapshot(version: number, status: Uint8Array, areas: number[]): void {
    this.status = new Uint8Array(status);
    this.areas = [...areas];
    this.version = version;
    this.emit([]);
  }

  /**
   * Applies a batch covering versions from..to. Statuses are absolute, so a batch that
   * overlaps what the map already has is safe to apply; one that starts after the next
   * expected version means batches were missed (a gap): the caller must resynchronise.
   */
  applyDelta(from: number, to: number, seats: number[], areas: number[]): DeltaResult {
    if (this.version < 0) return 'gap';
    if (to <= this.version) return 'stale';
    if (from > this.version + 1) return 'gap';
    const changes: SeatChange[] = [];
    for (let i = 0; i < seats.length; i += 2) {
      this.status[seats[i]] = seats[i + 1];
      changes.push({ seat: seats[i], status: seats[i + 1] });
    }
    for (let i = 0; i < areas.length; i += 2) this.areas[areas[i]] = areas[i + 1];
    this.version = to;
    this.emit(changes);
    return 'applied';
  }

  count(status: number): number {
    let n = 0;
    for (const s of this.status) if (s === status) n++;
    return n;
  }

  onChange(fn: (changes: SeatChange[], map: SeatMap) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(changes: SeatChange[]): void {
    for (const fn of this.listeners) fn(changes, this);
  }
}
