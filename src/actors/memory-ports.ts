import {
  FencingError,
  type JournalEntry,
  type JournalPort,
  type SnapshotPort,
  type StoredEntry,
  type StoredSnapshot,
} from './ports.ts';

// In-process journal and snapshot store with the same contract as the database ones
// (epochs, gap-free sequences). Used by unit tests and the actor benchmark, where the
// point is the actor itself, not the disk.

export class MemoryJournal implements JournalPort {
  private events = new Map<string, { epoch: number; entries: StoredEntry[] }>();
  /** Test hook: when set, the next append rejects with it. */
  failNext: Error | null = null;

  private event(eventId: string) {
    let e = this.events.get(eventId);
    if (!e) {
      e = { epoch: 0, entries: [] };
      this.events.set(eventId, e);
    }
    return e;
  }

  async claim(eventId: string): Promise<number> {
    const e = this.event(eventId);
    e.epoch++;
    return e.epoch;
  }

  async append(eventId: string, epoch: number, entries: JournalEntry[]): Promise<void> {
    const e = this.event(eventId);
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = null;
      throw err;
    }
    if (epoch !== e.epoch) throw new FencingError(`epoch ${epoch} is no longer the owner of ${eventId}`);
    const last = e.entries.length > 0 ? e.entries[e.entries.length - 1].seq : 0;
    if (entries.length > 0 && entries[0].seq !== last + 1) {
      throw new FencingError(`sequence ${entries[0].seq} does not follow ${last} for ${eventId}`);
    }
    for (const entry of entries) e.entries.push(entry);
  }

  async read(
    eventId: string,
    afterSeq: number,
    onEntries: (entries: StoredEntry[]) => unknown,
  ): Promise<void> {
    const all = this.event(eventId).entries.filter((x) => x.seq > afterSeq);
    for (let i = 0; i < all.length; i += 1000) if (onEntries(all.slice(i, i + 1000)) === false) return;
  }

  entries(eventId: string): StoredEntry[] {
    return this.event(eventId).entries;
  }

  /** Test hook: entries as an older schema wrote them, appended without checks. */
  appendStored(eventId: string, entries: StoredEntry[]): void {
    for (const e of entries) this.event(eventId).entries.push(e);
  }
}

export class MemorySnapshots implements SnapshotPort {
  private snaps = new Map<string, StoredSnapshot>();

  async save(eventId: string, snapshot: StoredSnapshot): Promise<void> {
    const prev = this.snaps.get(eventId);
    if (!prev || prev.version < snapshot.version) this.snaps.set(eventId, snapshot);
  }

  async latest(eventId: string): Promise<StoredSnapshot | null> {
    return this.snaps.get(eventId) ?? null;
  }
}
