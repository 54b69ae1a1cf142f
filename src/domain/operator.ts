import type { Command } from './commands.ts';
import { reject, rejectWith } from './errors.ts';
import { accepted, type Outcome } from './outcome.ts';
import { AVAILABLE, BLOCKED, NOT_FOR_SALE, STATUS_NAMES } from './seat-status.ts';
import { checkSeats } from './seats.ts';
import { type EventState, setStatus } from './state.ts';

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;

/** Moves every named seat from one of `from` to `to`, or rejects the whole command. */
function moveSeats(state: EventState, seats: number[], from: readonly number[], to: number): Outcome {
  const bad = checkSeats(state, seats);
  if (bad) return rejectWith(bad);
  for (const s of seats) {
    const st = state.status[s];
    if (!from.includes(st)) {
      return reject('SEAT_UNAVAILABLE', `seat ${s} is ${STATUS_NAMES[st]}`);
    }
  }
  const deltas: number[] = [];
  for (const s of seats) setStatus(state, s, to, deltas);
  return accepted({ seats: seats.length }, deltas);
}

export function block(state: EventState, cmd: Cmd<'block'>): Outcome {
  return moveSeats(state, cmd.seats, [AVAILABLE], BLOCKED);
}

export function unblock(state: EventState, cmd: Cmd<'unblock'>): Outcome {
  return moveSeats(state, cmd.seats, [BLOCKED], AVAILABLE);
}

export function setForSale(state: EventState, cmd: Cmd<'setForSale'>): Outcome {
  return cmd.forSale
    ? moveSeats(state, cmd.seats, [NOT_FOR_SALE], AVAILABLE)
    : moveSeats(state, cmd.seats, [AVAILABLE, BLOCKED], NOT_FOR_SALE);
}

export function setSale(state: EventState, cmd: Cmd<'setSale'>): Outcome {
  if (state.sale === cmd.status) return reject('INVALID_COMMAND', `the sale is already ${cmd.status}`);
  state.sale = cmd.status;
  return accepted({ sale: cmd.status }, []);
}
