import pino from 'pino';
import { Directory, type EventHandle } from '../../src/actors/directory.ts';
import type { RuntimeDeps } from '../../src/actors/event-runtime.ts';
import { MemoryJournal, MemorySnapshots } from '../../src/actors/memory-ports.ts';
import type { DeltaBatch, JournalEntry } from '../../src/actors/ports.ts';
import type { Layout } from '../../src/domain/chart.ts';
import type { EventConfig } from '../../src/domain/state.ts';
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
    onEntries: (entries: JournalEntry[]) => void,
  ): Promise<void> {
    this.reads.push(afterSeq);
    return super.read(eventId, afterSeq, onEntries);
  }
}

export interface Harness {
  journal: TestJournal;
  snapshots: MemorySnapshots;
  batches: DeltaBatch[];
  resets: number[];
  directory: Directory;
  event: EventHandle;
}

export const EVENT_ID = 'ev1';

/** A Directory over in-memory ports with one event open (the fixture hall unless told). */
export function harness(
  opts: {
    config?: Partial<EventConfig>;
    layout?: Layout;
    prices?: Record<string, number>;
    journal?: TestJournal;
    deps?: Partial<RuntimeDeps>;
  } = {},
): Harness {
  const journal = opts.journal ?? new TestJournal();
  const snapshots = new MemorySnapshots();
  const batches: DeltaBatch[] = [];
  const resets: number[] = [];
  const directory = new Directory({
    journal,
    snapshots,
    deltas: { publish: (b) => batches.push(b), reset: (_id, version) => resets.push(version) },
    log: pino({ level: 'silent' }),
    tickMs: 10,
    ...opts.deps,
  });
  const event = directory.open({
    eventId: EVENT_ID,
    layout: opts.layout ?? fixtureLayout(),
    prices: opts.prices ?? PRICES,
    config: { ...CONFIG, holdTtlMs: 60_000, maxHoldMs: 120_000, ...opts.config },
  });
  return { journal, snapshots, batches, resets, directory, event };
}
