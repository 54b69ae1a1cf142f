import type { Command } from '../domain/commands.ts';
import type { Outcome } from '../domain/outcome.ts';
import type { Availability, dump, HoldView, OrderView } from '../domain/queries.ts';

// How anything outside the engine talks to one event: commands in, outcomes out, and named
// queries, all plain data (msgpack-able), so a caller in another process can use the same
// port over a bus. No closure and no live state ever crosses it.

export interface Envelope {
  command: Command;
  /** Idempotency key: a retried command with the same key gets the first outcome. */
  key?: string;
  /** Who asked, when not the fan the command names (an operator's id): kept in the journal. */
  by?: string;
}

/** Every seat's status and every area's places available, at a version. */
export interface DurableSeats {
  version: number;
  /** One status per seat number. */
  status: Uint8Array;
  areas: number[];
}

/** The queries an event answers: name → arguments and result. */
export interface Queries {
  /** Counts by status, areas, sale and prices, as the actor has them now. */
  availability: { args: Record<string, never>; result: Availability };
  /** The seat map as durable in the journal (what fans are shown), at its version. */
  seatStatuses: { args: Record<string, never>; result: DurableSeats };
  /** A fan's live holds. */
  holdsOf: { args: { fanId: string }; result: HoldView[] };
  hold: { args: { holdId: string }; result: HoldView | null };
  order: { args: { orderId: string }; result: OrderView | null };
  /** Seats and places left to hold. */
  availableToHold: { args: Record<string, never>; result: number };
  /** Seats and places held or booked. */
  taken: { args: Record<string, never>; result: number };
  /** The whole state (tests and tools). */
  dump: { args: Record<string, never>; result: ReturnType<typeof dump> };
  /** The state encoded as a snapshot is (byte-for-byte comparisons in tests and tools). */
  encodedState: { args: Record<string, never>; result: { version: number; bytes: Uint8Array } };
}

export type QueryName = keyof Queries;
export type QueryArgs<N extends QueryName> = Queries[N]['args'];
export type QueryResult<N extends QueryName> = Queries[N]['result'];

/** A query as it travels: its name and arguments. */
export interface Query<N extends QueryName = QueryName> {
  name: N;
  args: QueryArgs<N>;
}

export interface EventPort {
  readonly eventId: string;
  /** Applies the commands in order; resolves with their outcomes once their batch is durable. */
  submit(envelopes: Envelope[]): Promise<Outcome[]>;
  query<N extends QueryName>(name: N, args: QueryArgs<N>): Promise<QueryResult<N>>;
}

/** A port with the one-command fast path (a fan's single hold): the same as submit([one])[0]. */
export interface SeatPort extends EventPort {
  submitOne(command: Command, opts?: { key?: string; by?: string }): Promise<Outcome>;
}

/**
 * Where callers find an event's port: the local directory, or in cluster mode the event's
 * owner wherever it runs (src/cluster).
 */
export interface EventLocator {
  /** The event's port, started (placed) if it was not running; null: no such event. */
  event(eventId: string): Promise<SeatPort | null>;
  /** The port if the event runs (anywhere) now; nothing is started. */
  running(eventId: string): Promise<SeatPort | null>;
}

/** The outcome of a command the actor could not make durable (or could not reach). */
export const UNAVAILABLE: Outcome = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'the command could not be made durable; retry with the same key' },
};
