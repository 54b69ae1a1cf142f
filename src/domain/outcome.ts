import type { DomainError } from './errors.ts';
import type { DomainEvent } from './events.ts';

export type Rejection = { ok: false; error: DomainError };

/**
 * What `decide` yields: the one event an accepted command becomes, or why it was refused
 * (the event itself, not wrapped: a hold costs one object less on the hot path).
 */
export type Decision = DomainEvent | Rejection;

export function isRejection(d: Decision): d is Rejection {
  return (d as Rejection).ok === false;
}

/**
 * What a caller is told: plain data, so it can cross a process. `value` is derived from the
 * event (src/domain/replies.ts), so a retry answered from the journal says the same.
 */
export type Outcome = { ok: true; value: Record<string, unknown> } | Rejection;

/**
 * What `apply` yields: the outcome plus the event to journal and what changed on the seat
 * map — `deltas` as flat (seat number, new status) pairs, `areas` as flat (area number,
 * places available) pairs.
 */
export type Applied =
  | { ok: true; value: Record<string, unknown>; event: DomainEvent; deltas: number[]; areas: number[] }
  | Rejection;

/** Where `evolve` reports what it changed. */
export interface Changes {
  deltas: number[];
  areas: number[];
}
