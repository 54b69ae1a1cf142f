import type { Command } from './commands.ts';
import { decide } from './decide.ts';
import { evolve } from './evolve.ts';
import { type Applied, isRejection } from './outcome.ts';
import { replyOf } from './replies.ts';
import type { EventState } from './state.ts';

/**
 * Decides one command at time `now` and, if accepted, evolves the state by its event. A
 * rejected command leaves the state untouched; an accepted one advances the version by one.
 */
export function apply(state: EventState, cmd: Command, now: number): Applied {
  const event = decide(state, cmd, now);
  if (isRejection(event)) return event;
  const changes = { deltas: [] as number[], areas: [] as number[] };
  evolve(state, event, changes);
  return {
    ok: true,
    value: replyOf(state.layout, event),
    event,
    deltas: changes.deltas,
    areas: changes.areas,
  };
}
