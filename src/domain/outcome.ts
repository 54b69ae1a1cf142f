import type { DomainError } from './errors.ts';

/**
 * What applying a command yields. On success, `deltas` lists seat changes as flat
 * (seat number, new status) pairs and `areas` lists (area number, places available) pairs.
 */
export type Outcome =
  | { ok: true; value: Record<string, unknown>; deltas: number[]; areas: number[] }
  | { ok: false; error: DomainError };

export function accepted(value: Record<string, unknown>, deltas: number[], areas: number[] = []): Outcome {
  return { ok: true, value, deltas, areas };
}
