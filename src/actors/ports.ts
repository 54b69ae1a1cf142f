import type { Command } from '../domain/commands.ts';
import type { DomainEvent } from '../domain/events.ts';

// The seams between an event actor and the world: where its events become durable and
// where its snapshots go. Who hears about committed events is the commit stream's business
// (commit-stream.ts).

/** One decided event as the journal keeps it. */
export interface JournalEntry {
  /** The event's version after this event: 1, 2, 3… without gaps. */
  seq: number;
  /** When it was decided (ms since the epoch). */
  at: number;
  event: DomainEvent;
  /** Idempotency key the client sent, if any: a retry gets the same answer after a restart. */
  key?: string;
  /** Who asked, when it was not the fan the event names (an operator's user id, 'system'). */
  by?: string;
}

/**
 * An entry of a batch written in journal schema 1, which stored the command rather than
 * its outcome. Recovery decides such commands again; new batches are never written so.
 */
export interface LegacyEntry {
  seq: number;
  at: number;
  command: Command;
  key?: string;
}

export type StoredEntry = JournalEntry | LegacyEntry;

export function isLegacy(e: StoredEntry): e is LegacyEntry {
  return 'command' in e;
}

/** An append refused because another owner took over the event or the sequence has a gap. */
export class FencingError extends Error {
  readonly retryable = true;
}

export interface JournalPort {
  /** Takes ownership of the event's journal; appends under older epochs fail from now on. */
  claim(eventId: string): Promise<number>;
  /**
   * Resolves once the entries are durable; rejects if the epoch or sequence is not current.
   * `liveHolds` is how many holds are live once they apply (kept beside the journal, so a
   * starting server knows which events must run).
   */
  append(eventId: string, epoch: number, entries: JournalEntry[], liveHolds?: number): Promise<void>;
  /**
   * Calls `onEntries` with every entry after `afterSeq`, in order, in chunks; a call that
   * returns false stops the read there (a page of history needs no more).
   */
  read(eventId: string, afterSeq: number, onEntries: (entries: StoredEntry[]) => unknown): Promise<void>;
}

export interface StoredSnapshot {
  version: number;
  bytes: Uint8Array;
}

export interface SnapshotPort {
  save(eventId: string, snapshot: StoredSnapshot): Promise<void>;
  latest(eventId: string): Promise<StoredSnapshot | null>;
}

/** Seat changes of committed events, coalesced per tick (src/seating's delta feed makes them). */
export interface DeltaBatch {
  eventId: string;
  /** First version this batch covers. */
  fromVersion: number;
  /** Version after the last event in the batch. */
  toVersion: number;
  /** Flat (seat number, status) pairs, the latest status of each changed seat. */
  seats: number[];
  /** Flat (area number, places available) pairs. */
  areas: number[];
  /** When the oldest change in the batch became durable (performance.now() ms): its wait for the tick. */
  committedAt: number;
}

export interface DeltaSink {
  publish(batch: DeltaBatch): void;
  /** The actor restarted from durable state: subscribers must fetch a fresh snapshot. */
  reset(eventId: string, version: number): void;
}

export const noDeltas: DeltaSink = { publish() {}, reset() {} };
