// A local copy of one event's seat statuses, kept current from a snapshot and the versioned
// delta batches that follow it. Pure: the socket feeds it, the UI reads it.

export type DeltaResult = 'applied' | 'stale' | 'gap';

export interface SeatChange {
  seat: number;
  status: number;
}

/** A general-admission area's new count of places left; `area` is its position in the chart's `gaAreas`. */
export interface AreaChange {
  area: number;
  available: number;
}

/**
 * What one notification reports. A snapshot replaced the whole map (the first one, or a
 * resynchronisation after a gap or reset): redraw everything. A delta moved the map to
 * version `to` and changed exactly `seats` and `areas`, either of which may be empty (a
 * hold extension changes neither, a standing-area hold only `areas`).
 */
export type SeatMapChange =
  | { kind: 'snapshot'; version: number }
  | {
      kind: 'delta';
      /** The batch's versions; `from` may be at or below the map's previous version when batches overlap. */
      from: number;
      to: number;
      seats: SeatChange[];
      areas: AreaChange[];
    };

export class SeatMap {
  status: Uint8Array = new Uint8Array(0);
  areas: number[] = [];
  /** Version of the state this map shows; -1 until the first snapshot. */
  version = -1;
  private listeners = new Set<(change: SeatMapChange, map: SeatMap) => void>();

  constructor(readonly eventId: string) {}

  applySnapshot(version: number, status: Uint8Array, areas: number[]): void {
    this.status = new Uint8Array(status);
    this.areas = [...areas];
    this.version = version;
    this.emit({ kind: 'snapshot', version });
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
    const seatChanges: SeatChange[] = [];
    for (let i = 0; i < seats.length; i += 2) {
      this.status[seats[i]] = seats[i + 1];
      seatChanges.push({ seat: seats[i], status: seats[i + 1] });
    }
    const areaChanges: AreaChange[] = [];
    for (let i = 0; i < areas.length; i += 2) {
      this.areas[areas[i]] = areas[i + 1];
      areaChanges.push({ area: areas[i], available: areas[i + 1] });
    }
    this.version = to;
    this.emit({ kind: 'delta', from, to, seats: seatChanges, areas: areaChanges });
    return 'applied';
  }

  count(status: number): number {
    let n = 0;
    for (const s of this.status) if (s === status) n++;
    return n;
  }

  /** Calls `fn` after every snapshot and every applied delta (not for stale or gapped ones); returns the unsubscribe. */
  onChange(fn: (change: SeatMapChange, map: SeatMap) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(change: SeatMapChange): void {
    for (const fn of this.listeners) fn(change, this);
  }
}
