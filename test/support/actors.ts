import pino from 'pino';
import type { CommittedBatch } from '../../src/actors/commit-stream.ts';
import { Directory } from '../../src/actors/directory.ts';
import type { EventHandle } from '../../src/actors/event-handle.ts';
import type { RuntimeDeps } from '../../src/actors/event-runtime.ts';
import { MemoryJournal, MemorySnapshots } from '../../src/actors/memory-ports.ts';
import { type DeltaBatch, isLegacy, type JournalEntry, type StoredEntry } from '../../src/actors/ports.ts';
import type { Layout } from '../../src/domain/chart.ts';
import type { EventConfig } from '../../src/domain/state.ts';
import { DeltaFeed } from '../../src/seating/delta-feed.ts';
import { CONFIG, fixtureLayout, PRICES } from './fixture.ts';

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A MemoryJournal whose appends can be held open (`hold()` … `open()` / `failHeld()`),
 * slowed down by a random latency, and which records every append and read it sees.
 */
export class TestJournal extends MemoryJournal {
  readonly appended: JournalEntry[][] = [];
  readonly reads: number[] = [];
  private gate: Deferred | null = null;

  constructor(private readonly latencyMs: () => number = () => -1) {
    super();
  }

  /** Appends from now on wait until `open()` or `failHeld()`. */
  hold(): void {
    this.gate ??= deferred();
  }

  open(): void {
    const g = this.gate;
    this.gate = null;
    g?.resolve();
  }

  /** Fails the appends that are being held. */
  failHeld(error: Error): void {
    const g = this.gate;
    this.gate = null;
    g?.reject(error);
  }

  override async append(eventId: string, epoch: number, entries: JournalEntry[]): Promise<void> {
    this.appended.push(entries.slice());
    const gate = this.gate;
    if (gate) await gate.promise;
    const ms = this.latencyMs();
    if (ms >= 0) await sleep(ms);
    return super.append(eventId, epoch, entries);
  }

  override async read(
    eventId: string,
    afterSeq: number,
    onEntries: (entries: StoredEntry[]) => void,
  ): Promise<void> {
    this.reads.push(afterSeq);
    return super.read(eventId, afterSeq, onEntries);
  }
}

export interface Harness {
  journal: TestJournal;
  snapshots: MemorySnapshots;
  /** Coalesced seat deltas as the live seat map publishes them. */
  batches: DeltaBatch[];
  /** Versions at which watchers were told to resynchronise (each restart after a crash). */
  resets: number[];
  /** Every committed batch, as the commit stream handed it out. */
  commits: CommittedBatch[];
  directory: Directory;
  event: EventHandle;
  feed: DeltaFeed;
  /**
   * The version once the actor has recovered and taken its prices and sale from the spec
   * (two journaled events on a fresh journal): tests count their own events from here.
   */
  base: number;
}

export const EVENT_ID = 'ev1';

/** A Directory over in-memory ports with one event open (the fixture hall unless told). */
export async function harness(
  opts: {
    config?: Partial<EventConfig>;
    layout?: Layout;
    prices?: Record<string, number>;
    journal?: TestJournal;
    deps?: Partial<Omit<RuntimeDeps, 'commits'>>;
    tickMs?: number;
  } = {},
): Promise<Harness> {
  const journal = opts.journal ?? new TestJournal();
  const snapshots = new MemorySnapshots();
  const batches: DeltaBatch[] = [];
  const resets: number[] = [];
  const commits: CommittedBatch[] = [];
  const directory = new Directory({
    journal,
    snapshots,
    log: pino({ level: 'silent' }),
    ...opts.deps,
  });
  const layout = opts.layout ?? fixtureLayout();
  const feed = new DeltaFeed(
    { publish: (b) => batches.push(b), reset: (_id, version) => resets.push(version) },
    () => layout.seatCount,
    opts.tickMs ?? 10,
  );
  directory.commits.subscribe(feed);
  directory.commits.subscribe({ name: 'test', committed: (b) => commits.push(b) });
  const event = directory.open({
    eventId: EVENT_ID,
    layout,
    prices: opts.prices ?? PRICES,
    config: { ...CONFIG, holdTtlMs: 60_000, maxHoldMs: 120_000, ...opts.config },
  });
  const base = (await event.query('availability', {})).version;
  return { journal, snapshots, batches, resets, commits, directory, event, feed, base };
}

/** Journal entries after the first `base` (the actor's own start-up events). */
export function entriesAfter(journal: MemoryJournal, base: number, eventId = EVENT_ID): JournalEntry[] {
  return journal.entries(eventId).filter((e): e is JournalEntry => !isLegacy(e) && e.seq > base);
}

/** Seat statuses of a small event, as the actor has them now. */
export async function statuses(event: EventHandle): Promise<number[]> {
  return (await event.query('dump', {})).status;
}

/** The actor's state, encoded as a snapshot encodes it (byte-for-byte comparisons). */
export async function stateBytes(event: EventHandle): Promise<Uint8Array> {
  return (await event.query('encodedState', {})).bytes;
}
