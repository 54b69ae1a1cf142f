import { decideBook, decideCancel, decideTransfer } from './bookings.ts';
import type { Command } from './commands.ts';
import {
  decideExpire,
  decideExtend,
  decideHold,
  decideHoldBest,
  decideHoldGa,
  decideRelease,
} from './holds.ts';
import { decideBlock, decideSetForSale, decideSetPrices, decideSetSale, decideUnblock } from './operator.ts';
import type { Decision } from './outcome.ts';
import { decideListResale, decideWithdrawResale } from './resale.ts';
import type { EventState } from './state.ts';

/**
 * Decides one command at time `now`: validates everything and makes every choice (which
 * seats, until when), reading the state and writing nothing. An accepted command becomes
 * exactly one event, so an event's sequence number in the journal is the event's version.
 */
export function decide(state: EventState, cmd: Command, now: number): Decision {
  switch (cmd.type) {
    case 'hold':
      return decideHold(state, cmd, now);
    case 'holdBest':
      return decideHoldBest(state, cmd, now);
    case 'holdGa':
      return decideHoldGa(state, cmd, now);
    case 'extendHold':
      return decideExtend(state, cmd, now);
    case 'release':
      return decideRelease(state, cmd);
    case 'expire':
      return decideExpire(state, now);
    case 'book':
      return decideBook(state, cmd, now);
    case 'cancelBooking':
      return decideCancel(state, cmd);
    case 'transfer':
      return decideTransfer(state, cmd);
    case 'listResale':
      return decideListResale(state, cmd);
    case 'withdrawResale':
      return decideWithdrawResale(state, cmd);
    case 'block':
      return decideBlock(state, cmd);
    case 'unblock':
      return decideUnblock(state, cmd);
    case 'setForSale':
      return decideSetForSale(state, cmd);
    case 'setSale':
      return decideSetSale(state, cmd);
    case 'setPrices':
      return decideSetPrices(state, cmd);
  }
}
