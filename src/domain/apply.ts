import type { Command } from './commands.ts';
import { decide } from './decide.ts';
import { evolve } from './evolve.ts';
import { type Applied, isRejection } from './outcome.ts';
import { replyOf } from './replies.ts';
import type { EventState } from './state.ts';

/** Stands in for the reply until evolve has run (one shape for the result object). */
const NO_VALUE: Record<string, unknown> = {};

/**
 * Decides one command at time `now` and, if accepted, evolves the state by its event. A
 * rejected command leaves the state untouched; an accepted one advances the version by one.
 */
export function apply(state: EventState, cmd: Command, now: number): Applied {
  const event = decide(state, cmd, now);
  if (isRejection(event)) return event;
  // The result is the Changes evolve writes into: one object per command, not two.
  const out = { ok: true as const, value: NO_VALUE, event, deltas: [] as number[], areas: [] as number[] };
  evolve(state, event, out);
  out.value = replyOf(state.layout, event);
  return out;
}
