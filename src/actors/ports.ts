import type { Command } from '../domain/commands.ts';

// The seams between an event actor and the world: where its commands become durable,
// where its snapshots go, and who hears about seat changes.

export interface JournalEntry {
  /** The event's version after this command: 1, 2, 3… without gaps. */
  seq: number;
  /** The time the command was applied at; replay applies it at the same time. */
  at: number;
  command: Command;
  /** Idempotency key the client sent, if any. */
  key?: string;
}

/** An append refused because another owner took over the event or the sequence has a gap. */
export class FencingError extends Error {
  readonly retryable = true;
}

export interface JournalPort {
  /** Takes ownership of the event's journal; appends under older epochs fail from now on. */
  claim(eventId: string): Promise<number>;
  /** Resolves once the entries are durable; rejects if the epoch or sequence is not current. */
  append(eventId: string, epoch: number, entries: JournalEntry[]): Promise<void>;
  /** Calls `onEntries` with every entry after `afterSeq`, in order, in chunks. */
  read(eventId: string, afterSeq: number, onEntries: (entries: JournalEntry[]) => void): Promise<void>;
}

export interface StoredSnapshot {
  version: number;
  bytes: Uint8Array;
}

export interface SnapshotPort {
  save(eventId: string, snapshot: StoredSnapshot): Promise<void>;
  latest(eventId: string): Promise<StoredSnapshot | null>;
}

/** Seat changes of committed commands, coalesced per tick. */
export interface DeltaBatch {
  eventId: string;
  /** First version this batch covers. */
  fromVersion: number;
  /** Version after the last command in the batch. */
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
