import { book, cancelBooking, transfer } from './bookings.ts';
import type { Command } from './commands.ts';
import { expire, extendHold, hold, holdBest, holdGa, release } from './holds.ts';
import { block, setForSale, setSale, unblock } from './operator.ts';
import type { Outcome } from './outcome.ts';
import type { EventState } from './state.ts';

/**
 * Applies one command at time `now`. Each handler validates everything before it writes,
 * so a rejected command leaves the state untouched; an accepted one advances the version
 * by exactly one.
 */
export function apply(state: EventState, cmd: Command, now: number): Outcome {
  const out = dispatch(state, cmd, now);
  if (out.ok) state.version++;
  return out;
}

function dispatch(state: EventState, cmd: Command, now: number): Outcome {
  switch (cmd.type) {
    case 'hold':
      return hold(state, cmd, now);
    case 'holdBest':
      return holdBest(state, cmd, now);
    case 'holdGa':
      return holdGa(state, cmd, now);
    case 'extendHold':
      return extendHold(state, cmd, now);
    case 'release':
      return release(state, cmd);
    case 'expire':
      return expire(state, now);
    case 'book':
      return book(state, cmd, now);
    case 'cancelBooking':
      return cancelBooking(state, cmd);
    case 'transfer':
      return transfer(state, cmd);
    case 'block':
      return block(state, cmd);
    case 'unblock':
      return unblock(state, cmd);
    case 'setForSale':
      return setForSale(state, cmd);
    case 'setSale':
      return setSale(state, cmd);
  }
}
